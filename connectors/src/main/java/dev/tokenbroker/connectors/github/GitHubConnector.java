package dev.tokenbroker.connectors.github;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.RevocationOutcome;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import dev.tokenbroker.connectors.http.OAuthErrorClassifier;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;
import dev.tokenbroker.connectors.oauth2.OAuth2Connector;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorConfiguration;
import dev.tokenbroker.connectors.oauth2.TokenResponseReader;
import net.minidev.json.JSONObject;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * GitHub, for OAuth Apps and GitHub Apps acting for a user.
 *
 * <ul>
 *   <li>OAuth App tokens do not expire and come without refresh token: the result has no expiry.</li>
 *   <li>GitHub App user tokens expire after 8 hours, with a refresh token valid for 6 months
 *       ({@code refresh_token_expires_in}); every refresh rotates both, and the old refresh token dies.</li>
 *   <li>The token endpoint answers errors with HTTP 200 and an {@code error} member; with
 *       {@code Accept: application/json} (always sent) the body is JSON. {@code bad_refresh_token} and
 *       {@code bad_verification_code} end the grant; {@code incorrect_client_credentials} and
 *       {@code redirect_uri_mismatch} are configuration errors.</li>
 *   <li>The account is {@code GET /user}: the numeric {@code id} is the subject (logins can be renamed).</li>
 *   <li>Revocation: {@code DELETE /applications/{client_id}/grant} with HTTP Basic client credentials,
 *       which removes the whole authorization, not just one token.</li>
 *   <li>Rate limits: 403/429 with {@code x-ratelimit-remaining: 0} and {@code x-ratelimit-reset}, or
 *       {@code retry-after}, are TRANSIENT with a retry-at instant.</li>
 * </ul>
 *
 * @see <a href="https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps">Authorizing OAuth apps</a>
 * @see <a href="https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens">Refreshing user access tokens</a>
 * @see <a href="https://docs.github.com/en/rest/apps/oauth-applications">REST API endpoints for OAuth authorizations</a>
 */
public final class GitHubConnector implements Connector {

    public static final String WEB_URI = "https://github.com";
    public static final String API_URI = "https://api.github.com";
    public static final String DEFAULT_SCOPES = "read:user";
    private static final String API_VERSION = "2022-11-28";

    private final String id;
    private final ClientID clientId;
    private final Secret clientSecret;
    private final URI apiUri;
    private final OAuth2Connector oauth;
    private final UpstreamHttpClient http;
    private final TokenResponseReader responses;

    public GitHubConnector(String id, ClientID clientId, Secret clientSecret, URI webUri, URI apiUri, Scope defaultScope,
                           boolean pkce, UpstreamHttpClient http) {
        this.id = Objects.requireNonNull(id, "id");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
        this.apiUri = Objects.requireNonNull(apiUri, "apiUri");
        this.http = Objects.requireNonNull(http, "http");
        OAuthErrorClassifier classifier = OAuthErrorClassifier.standard()
                .with("bad_refresh_token", ConnectorErrorKind.PERMANENT_GRANT)
                .with("bad_verification_code", ConnectorErrorKind.PERMANENT_GRANT)
                .with("unverified_user_email", ConnectorErrorKind.PERMANENT_GRANT)
                .with("incorrect_client_credentials", ConnectorErrorKind.CONFIGURATION)
                .with("redirect_uri_mismatch", ConnectorErrorKind.CONFIGURATION)
                .with("application_suspended", ConnectorErrorKind.CONFIGURATION);
        String web = trimSlash(webUri.toString());
        OAuth2ConnectorConfiguration configuration = OAuth2ConnectorConfiguration.builder(id, clientId, clientSecret,
                        URI.create(web + "/login/oauth/authorize"), URI.create(web + "/login/oauth/access_token"))
                // GitHub documents client_id and client_secret as form parameters.
                .clientAuthentication(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .defaultScope(defaultScope)
                .pkce(pkce)
                .errorClassifier(classifier)
                .build();
        this.oauth = new OAuth2Connector(configuration, http, null);
        this.responses = new TokenResponseReader(id, classifier, http.clock());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public AuthorizationStart startAuthorization(URI redirectUri, Scope scope) {
        return oauth.startAuthorization(redirectUri, scope);
    }

    @Override
    public TokenResult exchange(URI callbackUri, PendingAuthorization pending) {
        return oauth.exchange(callbackUri, pending);
    }

    @Override
    public TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope) {
        // GitHub has no scope parameter on refresh; asking for less is not possible.
        return oauth.refresh(refreshToken, null);
    }

    @Override
    public RevocationOutcome revoke(AccessToken accessToken, Optional<RefreshToken> refreshToken) {
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.DELETE,
                URI.create(trimSlash(apiUri.toString()) + "/applications/" + URLEncoder.encode(clientId.getValue(), StandardCharsets.UTF_8) + "/grant"));
        request.setAuthorization(new ClientSecretBasic(clientId, clientSecret).toHTTPAuthorizationHeader());
        apiHeaders(request);
        request.setHeader("Content-Type", "application/json");
        request.setBody(new JSONObject(Map.of("access_token", accessToken.getValue())).toJSONString());
        HTTPResponse response = http.send(request, ConnectorOperation.REVOCATION);
        int status = response.getStatusCode();
        // 404: the token or grant is already gone, which is what revocation wants.
        if (status == 204 || status == 200 || status == 404) {
            return RevocationOutcome.REVOKED;
        }
        throw ConnectorException.builder(status == 401 || status == 403 ? ConnectorErrorKind.CONFIGURATION : ConnectorErrorKind.INVALID_RESPONSE,
                id, ConnectorOperation.REVOCATION).httpStatus(status)
                .detail(status == 401 || status == 403 ? "GitHub refused the client credentials for the applications API: check client-id and client-secret"
                        : "unexpected answer from the applications API").build();
    }

    @Override
    public UpstreamAccount identify(TokenResult tokens) {
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, URI.create(trimSlash(apiUri.toString()) + "/user"));
        request.setAuthorization(tokens.accessToken().toAuthorizationHeader());
        apiHeaders(request);
        HTTPResponse response = http.send(request, ConnectorOperation.ACCOUNT_LOOKUP);
        if (response.getStatusCode() == 401) {
            throw ConnectorException.builder(ConnectorErrorKind.PERMANENT_GRANT, id, ConnectorOperation.ACCOUNT_LOOKUP)
                    .httpStatus(401).detail("GitHub rejected the access token (Bad credentials): the authorization was revoked").build();
        }
        if (!response.indicatesSuccess()) {
            throw ConnectorException.builder(ConnectorErrorKind.CONFIGURATION, id, ConnectorOperation.ACCOUNT_LOOKUP)
                    .httpStatus(response.getStatusCode()).detail("GET /user failed").build();
        }
        JSONObject user = responses.jsonBody(response, ConnectorOperation.ACCOUNT_LOOKUP);
        Object userId = user.get("id");
        if (userId == null) {
            throw ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, id, ConnectorOperation.ACCOUNT_LOOKUP)
                    .detail("GET /user returned no id").build();
        }
        Object name = user.get("name") instanceof String ? user.get("name") : user.get("login");
        return new UpstreamAccount(userId.toString(), Optional.ofNullable(name).map(Object::toString));
    }

    private static void apiHeaders(HTTPRequest request) {
        request.setAccept("application/vnd.github+json");
        request.setHeader("X-GitHub-Api-Version", API_VERSION);
    }

    private static String trimSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
