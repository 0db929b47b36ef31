package dev.tokenbroker.connectors.google;

import dev.tokenbroker.connectors.testkit.ConnectorTestKit;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ParseException;
import dev.tokenbroker.connectors.testkit.RevocationCall;
import dev.tokenbroker.connectors.testkit.SimulatedFailure;
import dev.tokenbroker.connectors.testkit.SimulatedIdp;
import dev.tokenbroker.connectors.testkit.WireMockRequests;
import net.minidev.json.JSONObject;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * Google's OAuth 2.0 / OpenID Connect endpoints as "Using OAuth 2.0 for Web Server Applications" and the
 * OpenID Connect guide describe them:
 * <ul>
 *   <li>{@code POST /token} (oauth2.googleapis.com): JSON {@code access_token} ({@code ya29.}...),
 *       {@code expires_in} 3599, {@code refresh_token} ({@code 1//}...) only on the first exchange with
 *       {@code access_type=offline}, {@code scope}, {@code token_type: Bearer}, {@code id_token} (RS256,
 *       {@code iss https://accounts.google.com}, {@code aud} = client id, {@code kid} in the JWKS).</li>
 *   <li>Refresh responses carry no {@code refresh_token}.</li>
 *   <li>Errors: 400 {@code invalid_grant} "Token has been expired or revoked.", 401 {@code invalid_client},
 *       401 {@code unauthorized_client}, 400 {@code redirect_uri_mismatch}; 429/503 when overloaded.</li>
 *   <li>{@code POST /revoke} with {@code token} in the form body: 200; 400 {@code invalid_token} when
 *       already invalid.</li>
 *   <li>{@code GET /oauth2/v3/certs}: the signing keys.</li>
 * </ul>
 * ID tokens keep Google's issuer; only the URLs point at this server (the connector's URL settings).
 */
public final class GoogleSimulation implements SimulatedIdp {

    public static final String CLIENT_ID = "1234567890-abc123def456.apps.googleusercontent.com";
    public static final String SUBJECT = "110169484474386276334";
    public static final String ISSUER = "https://accounts.google.com";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WireMockServer server;
    private final RSAKey signingKey;
    private final String clientSecret = "GOCSPX-" + random(28);
    private String refreshToken;
    private String arrangedRefreshToken;
    private IdTokenDefect nextIdTokenDefect;

    /** What is wrong with the next code exchange's ID token; for ID token validation tests beyond the kit. */
    public enum IdTokenDefect { SIGNED_WITH_UNKNOWN_KEY, OTHER_AUDIENCE, OTHER_ISSUER, EXPIRED }

    public GoogleSimulation() {
        try {
            signingKey = new RSAKeyGenerator(2048).keyID("google-sim-" + random(8)).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        server = new WireMockServer(options().dynamicPort());
        server.start();
        reset();
    }

    public URI baseUri() {
        return URI.create(server.baseUrl());
    }

    public Map<String, String> connectorSettings() {
        String base = server.baseUrl();
        return Map.of("authorization-uri", base + "/o/oauth2/v2/auth", "token-uri", base + "/token",
                "revocation-uri", base + "/revoke", "userinfo-uri", base + "/v1/userinfo", "jwks-uri", base + "/oauth2/v3/certs");
    }

    @Override
    public void reset() {
        server.resetAll();
        refreshToken = null;
        arrangedRefreshToken = null;
        nextIdTokenDefect = null;
        server.stubFor(get(urlPathEqualTo("/oauth2/v3/certs"))
                .willReturn(json(200, new JWKSet(signingKey.toPublicJWK()).toString())
                        .withHeader("Cache-Control", "public, max-age=21361, must-revalidate, no-transform")));
        server.stubFor(post(urlPathEqualTo("/token")).atPriority(10)
                .willReturn(json(400, error("invalid_grant", "Bad Request"))));
        server.stubFor(post(urlPathEqualTo("/token")).atPriority(9)
                .withFormParam("grant_type", equalTo("refresh_token"))
                .willReturn(json(400, error("invalid_grant", "Token has been expired or revoked."))));
        server.stubFor(post(urlPathEqualTo("/revoke")).atPriority(10)
                .willReturn(json(400, "{\"error\":\"invalid_token\",\"error_description\":\"Token expired or revoked\"}")));
    }

    @Override
    public String clientSecret() {
        return clientSecret;
    }

    @Override
    public URI consent(URI authorizationRequest) {
        AuthorizationRequest request;
        try {
            request = AuthorizationRequest.parse(authorizationRequest);
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
        // Google issues a refresh token only for offline access with a fresh consent.
        boolean offline = List.of("offline").equals(request.getCustomParameter("access_type"));
        String nonce = Optional.ofNullable(request.getCustomParameter("nonce")).map(values -> values.get(0)).orElse(null);
        String code = "4/0Ab" + random(60);
        String accessToken = "ya29.a0" + random(120);
        refreshToken = offline ? "1//0g" + random(96) : null;
        JSONObject body = tokenBody(accessToken, refreshToken, request.getScope().toString(), idToken(nonce, nextIdTokenDefect));
        nextIdTokenDefect = null;
        server.stubFor(post(urlPathEqualTo("/token")).atPriority(5)
                .withFormParam("code", equalTo(code))
                .withFormParam("client_id", equalTo(CLIENT_ID))
                .withFormParam("client_secret", equalTo(clientSecret))
                .withFormParam("grant_type", equalTo("authorization_code"))
                .willReturn(json(200, body.toJSONString())));
        server.stubFor(post(urlPathEqualTo("/revoke")).atPriority(5)
                .withFormParam("token", equalTo(refreshToken == null ? accessToken : refreshToken))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8").withBody("{}")));
        return URI.create(request.getRedirectionURI() + "?state=" + request.getState().getValue() + "&code="
                + URLEncoder.encode(code, StandardCharsets.UTF_8) + "&scope=" + URLEncoder.encode(request.getScope().toString(), StandardCharsets.UTF_8));
    }

    public void defectInNextIdToken(IdTokenDefect defect) {
        nextIdTokenDefect = defect;
    }

    @Override
    public Optional<String> expectedSubject() {
        return Optional.of(SUBJECT);
    }

    @Override
    public Optional<String> issuer() {
        return Optional.of(ISSUER);
    }

    @Override
    public void rotateRefreshTokenOnNextRefresh() {
        // Google does not rotate today; RFC 6749 §6 allows it and the connector must not lose one.
        arrangedRefreshToken = "1//0g" + random(96);
        stubRefresh(tokenBody("ya29.a0" + random(120), arrangedRefreshToken, "openid email profile", idToken(null)));
    }

    @Override
    public void omitRefreshTokenOnNextRefresh() {
        arrangedRefreshToken = null;
        stubRefresh(tokenBody("ya29.a0" + random(120), null, "openid email profile", idToken(null)));
    }

    @Override
    public boolean issueIdTokenForAnotherSubjectOnNextRefresh() {
        arrangedRefreshToken = null;
        stubRefresh(tokenBody("ya29.a0" + random(120), null, "openid email profile", idToken(null, null, "109876543210987654321")));
        return true;
    }

    private void stubRefresh(JSONObject body) {
        server.stubFor(post(urlPathEqualTo("/token")).atPriority(5)
                .withFormParam("grant_type", equalTo("refresh_token"))
                .withFormParam("refresh_token", equalTo(refreshToken))
                .withFormParam("client_secret", equalTo(clientSecret))
                .willReturn(json(200, body.toJSONString())));
    }

    @Override
    public void failNextTokenRequest(SimulatedFailure failure) {
        ResponseDefinitionBuilder response;
        switch (failure.reason()) {
            case SERVER_ERROR:
                response = json(503, error("temporarily_unavailable", "The service is currently unavailable."));
                break;
            case RATE_LIMITED_FOR:
                response = json(429, error("rate_limit_exceeded", "Rate Limit Exceeded"))
                        .withHeader("Retry-After", Long.toString(failure.retryAfter().toSeconds()));
                break;
            case RATE_LIMITED_UNTIL:
                response = json(429, error("rate_limit_exceeded", "Rate Limit Exceeded"))
                        .withHeader("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(failure.retryAt().atOffset(ZoneOffset.UTC)));
                break;
            case GRANT_REVOKED:
                response = json(400, error("invalid_grant", "Token has been expired or revoked."));
                break;
            case CLIENT_REJECTED:
                response = json(401, error("invalid_client", "The OAuth client was not found."));
                break;
            case CLIENT_NOT_AUTHORIZED:
                response = json(401, error("unauthorized_client", "Unauthorized"));
                break;
            case REDIRECT_URI_MISMATCH:
                response = json(400, error("redirect_uri_mismatch", "Bad Request"));
                break;
            case SLOW_RESPONSE:
                response = json(200, tokenBody("ya29.a0" + random(120), null, "openid", idToken(null)).toJSONString()).withFixedDelay((int) ConnectorTestKit.SLOW_RESPONSE_DELAY.toMillis());
                break;
            default:
                throw new IllegalArgumentException(failure.reason().name());
        }
        server.stubFor(post(urlPathEqualTo("/token")).atPriority(1).willReturn(response));
    }

    @Override
    public Optional<String> lastIssuedRefreshToken() {
        boolean refreshed = lastTokenRequestParameters().getOrDefault("grant_type", "").equals("refresh_token");
        return Optional.ofNullable(refreshed && arrangedRefreshToken != null ? arrangedRefreshToken : refreshToken);
    }

    @Override
    public Map<String, String> lastTokenRequestParameters() {
        return WireMockRequests.lastFormParameters(server.findAll(postRequestedFor(urlPathEqualTo("/token"))));
    }

    @Override
    public boolean supportsRevocation() {
        return true;
    }

    @Override
    public List<RevocationCall> revocations() {
        return server.findAll(postRequestedFor(urlPathEqualTo("/revoke"))).stream()
                .map(request -> WireMockRequests.formParameters(request.getBodyAsString()))
                .map(form -> new RevocationCall(form.get("token"), Optional.ofNullable(form.get("token_type_hint"))))
                .collect(Collectors.toList());
    }

    private JSONObject tokenBody(String accessToken, String refresh, String scope, String idToken) {
        JSONObject body = new JSONObject();
        body.put("access_token", accessToken);
        body.put("expires_in", 3599);
        if (refresh != null) {
            body.put("refresh_token", refresh);
        }
        body.put("scope", scope);
        body.put("token_type", "Bearer");
        body.put("id_token", idToken);
        return body;
    }

    private String idToken(String nonce) {
        return idToken(nonce, null);
    }

    private String idToken(String nonce, IdTokenDefect defect) {
        return idToken(nonce, defect, SUBJECT);
    }

    private String idToken(String nonce, IdTokenDefect defect, String subject) {
        Instant now = defect == IdTokenDefect.EXPIRED ? Instant.now().minusSeconds(7200) : Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(defect == IdTokenDefect.OTHER_ISSUER ? "https://accounts.attacker.example" : ISSUER)
                .audience(defect == IdTokenDefect.OTHER_AUDIENCE ? "another-client.apps.googleusercontent.com" : CLIENT_ID)
                .subject(subject)
                .claim("azp", CLIENT_ID).claim("email", "alice@example.com").claim("email_verified", true)
                .claim("name", "Alice Example").claim("at_hash", random(22))
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)));
        if (nonce != null) {
            claims.claim("nonce", nonce);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).type(com.nimbusds.jose.JOSEObjectType.JWT).build(), claims.build());
        try {
            RSAKey key = defect == IdTokenDefect.SIGNED_WITH_UNKNOWN_KEY
                    ? new RSAKeyGenerator(2048).keyID(signingKey.getKeyID()).generate() : signingKey;
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static String error(String code, String description) {
        return "{\"error\":\"" + code + "\",\"error_description\":\"" + description + "\"}";
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
                .withHeader("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate").withBody(body);
    }

    private static String random(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return value.toString();
    }
}
