package dev.tokenbroker.connectors.github;

import dev.tokenbroker.connectors.testkit.ConnectorTestKit;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ParseException;
import dev.tokenbroker.connectors.testkit.RevocationCall;
import dev.tokenbroker.connectors.testkit.SimulatedFailure;
import dev.tokenbroker.connectors.testkit.SimulatedIdp;
import dev.tokenbroker.connectors.testkit.WireMockRequests;
import net.minidev.json.JSONObject;
import net.minidev.json.JSONValue;

import java.net.URI;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * GitHub as its documentation describes it, for a GitHub App with expiring user tokens:
 * "Generating a user access token for a GitHub App", "Refreshing user access tokens",
 * "Troubleshooting OAuth app access token request errors", "REST API endpoints for OAuth authorizations"
 * and "Rate limits for the REST API".
 *
 * <ul>
 *   <li>{@code POST /login/oauth/access_token}: JSON only when asked with {@code Accept: application/json}
 *       (else form encoded); errors come back with <b>HTTP 200</b> and an {@code error} member.</li>
 *   <li>User tokens {@code ghu_...} expire in 28800 s; refresh tokens {@code ghr_...} in 15811200 s; a refresh
 *       returns a new pair and the used refresh token stops working.</li>
 *   <li>{@code GET /user} with the token; {@code 401 Bad credentials} otherwise.</li>
 *   <li>{@code DELETE /applications/{client_id}/grant}, HTTP Basic with the app's client id and secret,
 *       body {@code {"access_token": ...}}: 204.</li>
 *   <li>Rate limits: 403 or 429 with {@code x-ratelimit-remaining: 0} and {@code x-ratelimit-reset} (epoch
 *       seconds), or {@code retry-after} seconds for secondary limits.</li>
 * </ul>
 * GitHub documents neither {@code unauthorized_client} nor refresh responses without a refresh token; for
 * those kit checks this simulation answers as RFC 6749 allows ({@code unauthorized_client} in GitHub's
 * 200-with-error format; a refresh response with only an access token).
 */
public final class GitHubSimulation implements SimulatedIdp {

    public static final String CLIENT_ID = "Iv1.8a61f9b3a7aba766";
    public static final long USER_ID = 583231;
    private static final String TOKEN_PATH = "/login/oauth/access_token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WireMockServer server;
    private final String clientSecret = "ghsecret_" + random(32);
    private String currentRefreshToken;
    private String arrangedRefreshToken;

    public GitHubSimulation() {
        server = new WireMockServer(options().dynamicPort());
        server.start();
        reset();
    }

    public URI baseUri() {
        return URI.create(server.baseUrl());
    }

    public void stop() {
        server.stop();
    }

    @Override
    public void reset() {
        server.resetAll();
        currentRefreshToken = null;
        arrangedRefreshToken = null;
        // Unknown codes and refresh tokens: GitHub's documented 200-with-error answers.
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(9)
                .withHeader("Accept", containing("application/json"))
                .withFormParam("grant_type", equalTo("refresh_token"))
                .willReturn(githubJson(error("bad_refresh_token", "The refresh token passed is incorrect or expired."))));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(10)
                .withHeader("Accept", containing("application/json"))
                .willReturn(githubJson(error("bad_verification_code", "The code passed is incorrect or expired."))));
        // Without Accept: application/json GitHub answers form encoded, which a connector must not send.
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(11)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                        .withBody("error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.")));
        server.stubFor(get(urlPathEqualTo("/user")).atPriority(10)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json; charset=utf-8")
                        .withBody("{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"401\"}")));
        server.stubFor(delete(urlPathEqualTo("/applications/" + CLIENT_ID + "/grant"))
                .withBasicAuth(CLIENT_ID, clientSecret)
                .willReturn(aResponse().withStatus(204)));
    }

    @Override
    public String clientSecret() {
        return clientSecret;
    }

    @Override
    public URI consent(URI authorizationRequest) {
        AuthorizationRequest request = parse(authorizationRequest);
        String code = random(20);
        String accessToken = "ghu_" + random(36);
        currentRefreshToken = "ghr_" + random(76);
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(5)
                .withHeader("Accept", containing("application/json"))
                .withFormParam("client_id", equalTo(CLIENT_ID))
                .withFormParam("client_secret", equalTo(clientSecret))
                .withFormParam("code", equalTo(code))
                .willReturn(githubJson(tokens(accessToken, currentRefreshToken))));
        server.stubFor(get(urlPathEqualTo("/user")).atPriority(5)
                .withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(githubJson("{\"login\":\"octocat\",\"id\":" + USER_ID + ",\"node_id\":\"MDQ6VXNlcjE=\","
                        + "\"type\":\"User\",\"name\":\"The Octocat\",\"email\":null}")));
        // GitHub does not send iss on the redirect.
        return URI.create(request.getRedirectionURI() + "?code=" + code + "&state=" + request.getState().getValue());
    }

    @Override
    public Optional<String> expectedSubject() {
        return Optional.of(Long.toString(USER_ID));
    }

    @Override
    public Optional<String> issuer() {
        return Optional.empty();
    }

    @Override
    public void rotateRefreshTokenOnNextRefresh() {
        arrangedRefreshToken = "ghr_" + random(76);
        stubRefresh(tokens("ghu_" + random(36), arrangedRefreshToken));
    }

    @Override
    public void omitRefreshTokenOnNextRefresh() {
        arrangedRefreshToken = null;
        JSONObject body = new JSONObject();
        body.put("access_token", "ghu_" + random(36));
        body.put("expires_in", 28800);
        body.put("scope", "");
        body.put("token_type", "bearer");
        stubRefresh(body.toJSONString());
    }

    private void stubRefresh(String body) {
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(5)
                .withHeader("Accept", containing("application/json"))
                .withFormParam("client_secret", equalTo(clientSecret))
                .withFormParam("grant_type", equalTo("refresh_token"))
                .withFormParam("refresh_token", equalTo(currentRefreshToken))
                .willReturn(githubJson(body)));
    }

    @Override
    public void failNextTokenRequest(SimulatedFailure failure) {
        ResponseDefinitionBuilder response;
        switch (failure.reason()) {
            case SERVER_ERROR:
                response = aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody("<html><body>Unicorn!</body></html>");
                break;
            case RATE_LIMITED_FOR:
                // Secondary rate limit: retry-after in seconds.
                response = aResponse().withStatus(429).withHeader("Content-Type", "application/json; charset=utf-8")
                        .withHeader("retry-after", Long.toString(failure.retryAfter().toSeconds()))
                        .withBody("{\"message\":\"You have exceeded a secondary rate limit.\",\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}");
                break;
            case RATE_LIMITED_UNTIL:
                response = aResponse().withStatus(403).withHeader("Content-Type", "application/json; charset=utf-8")
                        .withHeader("x-ratelimit-limit", "5000").withHeader("x-ratelimit-remaining", "0")
                        .withHeader("x-ratelimit-used", "5000").withHeader("x-ratelimit-resource", "core")
                        .withHeader("x-ratelimit-reset", Long.toString(failure.retryAt().getEpochSecond()))
                        .withBody("{\"message\":\"API rate limit exceeded for user ID " + USER_ID + ".\",\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}");
                break;
            case GRANT_REVOKED:
                response = githubJson(error("bad_refresh_token", "The refresh token passed is incorrect or expired."));
                break;
            case CLIENT_REJECTED:
                response = githubJson(error("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."));
                break;
            case CLIENT_NOT_AUTHORIZED:
                response = githubJson(error("unauthorized_client", "The client is not authorized to use this grant."));
                break;
            case REDIRECT_URI_MISMATCH:
                response = githubJson(error("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application."));
                break;
            case SLOW_RESPONSE:
                response = githubJson(tokens("ghu_" + random(36), "ghr_" + random(76))).withFixedDelay((int) ConnectorTestKit.SLOW_RESPONSE_DELAY.toMillis());
                break;
            default:
                throw new IllegalArgumentException(failure.reason().name());
        }
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(1).willReturn(response));
    }

    @Override
    public Optional<String> lastIssuedRefreshToken() {
        boolean refreshed = server.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))).stream()
                .anyMatch(request -> request.getBodyAsString().contains("grant_type=refresh_token"));
        return Optional.ofNullable(refreshed && arrangedRefreshToken != null ? arrangedRefreshToken : currentRefreshToken);
    }

    @Override
    public Map<String, String> lastTokenRequestParameters() {
        return WireMockRequests.lastFormParameters(server.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))));
    }

    @Override
    public boolean supportsRevocation() {
        return true;
    }

    @Override
    public List<RevocationCall> revocations() {
        return server.findAll(deleteRequestedFor(urlPathEqualTo("/applications/" + CLIENT_ID + "/grant"))).stream()
                .map(request -> (Map<?, ?>) JSONValue.parse(request.getBodyAsString()))
                .map(body -> new RevocationCall(String.valueOf(body.get("access_token")), Optional.empty()))
                .collect(Collectors.toList());
    }

    private static String tokens(String accessToken, String refreshToken) {
        JSONObject body = new JSONObject();
        body.put("access_token", accessToken);
        body.put("expires_in", 28800);
        body.put("refresh_token", refreshToken);
        body.put("refresh_token_expires_in", 15811200);
        body.put("scope", "");
        body.put("token_type", "bearer");
        return body.toJSONString();
    }

    private static String error(String code, String description) {
        JSONObject body = new JSONObject();
        body.put("error", code);
        body.put("error_description", description);
        body.put("error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors");
        return body.toJSONString();
    }

    private static ResponseDefinitionBuilder githubJson(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8").withBody(body);
    }

    private static AuthorizationRequest parse(URI uri) {
        try {
            return AuthorizationRequest.parse(uri);
        } catch (ParseException e) {
            throw new IllegalArgumentException("not an authorization request", e);
        }
    }

    static String random(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return value.toString();
    }

}
