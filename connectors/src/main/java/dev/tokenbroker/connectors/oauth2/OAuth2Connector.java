package dev.tokenbroker.connectors.oauth2;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.RevocationOutcome;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;
import net.minidev.json.JSONObject;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A declaratively configured OAuth 2.0 connector; with an {@link IdTokenValidation} it is an OpenID Connect
 * connector (nonce, ID token validation, account from the ID token).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749">RFC 6749</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7636">RFC 7636 PKCE</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7009">RFC 7009 revocation</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9207">RFC 9207 iss</a>
 */
public final class OAuth2Connector implements Connector {

    private final OAuth2ConnectorConfiguration configuration;
    private final UpstreamHttpClient http;
    private final IdTokenValidation idTokens;
    private final TokenResponseReader responses;
    private final AuthorizationResponseValidator callbacks;
    private final ClientAuthentication clientAuthentication;

    /**
     * @param idTokens {@code null} for plain OAuth 2.0
     */
    public OAuth2Connector(OAuth2ConnectorConfiguration configuration, UpstreamHttpClient http, IdTokenValidation idTokens) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
        this.http = Objects.requireNonNull(http, "http");
        this.idTokens = idTokens;
        this.responses = new TokenResponseReader(configuration.connectorId(), configuration.errorClassifier(), http.clock());
        this.callbacks = new AuthorizationResponseValidator(configuration.connectorId(), configuration.issuer(),
                configuration.issuerParameterRequired(), configuration.errorClassifier());
        this.clientAuthentication = ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(configuration.clientAuthentication())
                ? new ClientSecretPost(configuration.clientId(), configuration.clientSecret())
                : new ClientSecretBasic(configuration.clientId(), configuration.clientSecret());
    }

    public OAuth2ConnectorConfiguration configuration() {
        return configuration;
    }

    @Override
    public String id() {
        return configuration.connectorId();
    }

    private boolean openIdConnect() {
        return idTokens != null;
    }

    @Override
    public AuthorizationStart startAuthorization(URI redirectUri, Scope scope) {
        Objects.requireNonNull(redirectUri, "redirectUri");
        Scope requested = scope == null || scope.isEmpty() ? configuration.defaultScope() : scope;
        if (openIdConnect() && !requested.contains("openid")) {
            requested = new Scope(requested);
            requested.add("openid");
        }
        State state = new State();
        Optional<CodeVerifier> verifier = configuration.pkce() ? Optional.of(new CodeVerifier()) : Optional.empty();
        Optional<Nonce> nonce = openIdConnect() ? Optional.of(new Nonce()) : Optional.empty();
        AuthorizationRequest.Builder request = new AuthorizationRequest.Builder(ResponseType.CODE, configuration.clientId())
                .endpointURI(configuration.authorizationEndpoint())
                .redirectionURI(redirectUri)
                .scope(wireScope(requested))
                .state(state);
        verifier.ifPresent(v -> request.codeChallenge(v, CodeChallengeMethod.S256));
        nonce.ifPresent(n -> request.customParameter("nonce", n.getValue()));
        configuration.authorizationParameters().forEach(request::customParameter);
        return new AuthorizationStart(request.build().toURI(),
                new PendingAuthorization(state, verifier, nonce, redirectUri, requested));
    }

    @Override
    public TokenResult exchange(URI callbackUri, PendingAuthorization pending) {
        AuthorizationCode code = callbacks.validate(callbackUri, pending);
        AuthorizationGrant grant = new AuthorizationCodeGrant(code, pending.redirectUri(), pending.codeVerifier().orElse(null));
        TokenResult result = requestTokens(grant, null, ConnectorOperation.CODE_EXCHANGE, Optional.of(pending.requestedScope()));
        if (openIdConnect()) {
            if (result.idToken().isEmpty()) {
                throw ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, id(), ConnectorOperation.CODE_EXCHANGE)
                        .detail("the token response has no id_token although openid was requested").build();
            }
            IDTokenClaimsSet claims = idTokens.validate(result.idToken().get(), pending.nonce().orElse(null), ConnectorOperation.CODE_EXCHANGE);
            result = result.withIdTokenClaims(claims);
        }
        return result;
    }

    @Override
    public TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope) {
        Objects.requireNonNull(refreshToken, "refreshToken");
        TokenResult result = requestTokens(new RefreshTokenGrant(refreshToken), narrowerScope, ConnectorOperation.REFRESH,
                Optional.ofNullable(narrowerScope));
        if (openIdConnect() && result.idToken().isPresent()) {
            result = result.withIdTokenClaims(idTokens.validate(result.idToken().get(), null, ConnectorOperation.REFRESH));
        }
        return result;
    }

    private TokenResult requestTokens(AuthorizationGrant grant, Scope scope, ConnectorOperation operation, Optional<Scope> scopeWhenOmitted) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        configuration.tokenParameters().forEach((name, value) -> parameters.put(name, List.of(value)));
        TokenRequest request = new TokenRequest(configuration.tokenEndpoint(), clientAuthentication, grant,
                scope == null ? null : wireScope(scope), null, parameters);
        HTTPRequest httpRequest = request.toHTTPRequest();
        // Without it GitHub answers form-encoded; harmless for everyone else.
        httpRequest.setAccept("application/json");
        HTTPResponse response = http.send(httpRequest, operation);
        return responses.read(response, operation, scopeWhenOmitted);
    }

    @Override
    public RevocationOutcome revoke(AccessToken accessToken, Optional<RefreshToken> refreshToken) {
        if (configuration.revocationEndpoint().isEmpty()) {
            return RevocationOutcome.NOT_SUPPORTED;
        }
        // Revoking the refresh token ends the whole grant at most IdPs (RFC 7009 §2.1); the access token alone may not.
        Token token = refreshToken.isPresent() ? refreshToken.get() : accessToken;
        URI endpoint = configuration.revocationEndpoint().get();
        TokenRevocationRequest request = configuration.revocationAuthenticatesClient()
                ? new TokenRevocationRequest(endpoint, clientAuthentication, token)
                : new TokenRevocationRequest(endpoint, configuration.clientId(), token);
        HTTPRequest httpRequest = request.toHTTPRequest();
        httpRequest.setAccept("application/json");
        HTTPResponse response = http.send(httpRequest, ConnectorOperation.REVOCATION);
        if (response.indicatesSuccess()) {
            return RevocationOutcome.REVOKED;
        }
        JSONObject json = responses.jsonBody(response, ConnectorOperation.REVOCATION);
        // RFC 7009 §2.2 answers 200 for already-invalid tokens; Google answers 400 invalid_token. Same outcome.
        if ("invalid_token".equals(json.get("error"))) {
            return RevocationOutcome.REVOKED;
        }
        throw responses.error(response.getStatusCode(), json, ConnectorOperation.REVOCATION);
    }

    @Override
    public UpstreamAccount identify(TokenResult tokens) {
        if (tokens.idTokenClaims().isPresent()) {
            IDTokenClaimsSet claims = tokens.idTokenClaims().get();
            return new UpstreamAccount(claims.getSubject().getValue(), firstString(claims.toJSONObject(), configuration.userInfoNameClaims()));
        }
        URI userInfo = configuration.userInfoEndpoint().orElseThrow(() ->
                ConnectorException.builder(ConnectorErrorKind.CONFIGURATION, id(), ConnectorOperation.ACCOUNT_LOOKUP)
                        .detail("no ID token and no userinfo-uri: set broker.connectors." + id() + ".userinfo-uri").build());
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, userInfo);
        request.setAuthorization(tokens.accessToken().toAuthorizationHeader());
        request.setAccept("application/json");
        HTTPResponse response = http.send(request, ConnectorOperation.ACCOUNT_LOOKUP);
        if (!response.indicatesSuccess()) {
            throw ConnectorException.builder(ConnectorErrorKind.CONFIGURATION, id(), ConnectorOperation.ACCOUNT_LOOKUP)
                    .httpStatus(response.getStatusCode()).detail("the userinfo endpoint refused the access token").build();
        }
        JSONObject json = responses.jsonBody(response, ConnectorOperation.ACCOUNT_LOOKUP);
        Object subject = json.get(configuration.userInfoSubjectClaim());
        if (subject == null || subject.toString().isBlank()) {
            throw ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, id(), ConnectorOperation.ACCOUNT_LOOKUP)
                    .detail("the userinfo response has no '" + configuration.userInfoSubjectClaim() + "'").build();
        }
        return new UpstreamAccount(subject.toString(), firstString(json, configuration.userInfoNameClaims()));
    }

    private Scope wireScope(Scope scope) {
        if (" ".equals(configuration.scopeSeparator())) {
            return scope;
        }
        // Nimbus joins scope tokens with spaces; one pre-joined token yields the IdP's separator on the wire.
        return new Scope(String.join(configuration.scopeSeparator(), scope.toStringList()));
    }

    private static Optional<String> firstString(Map<String, Object> claims, List<String> names) {
        for (String name : names) {
            Object value = claims.get(name);
            if (value instanceof String && !((String) value).isBlank()) {
                return Optional.of((String) value);
            }
        }
        return Optional.empty();
    }
}
