package dev.tokenbroker.connectors.oidc;

import dev.tokenbroker.connectors.testkit.ConnectorTestKit;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenbroker.connectors.testkit.RevocationCall;
import dev.tokenbroker.connectors.testkit.SimulatedFailure;
import dev.tokenbroker.connectors.testkit.SimulatedIdp;
import dev.tokenbroker.connectors.testkit.WireMockRequests;
import net.minidev.json.JSONObject;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import okhttp3.mockwebserver.RecordedRequest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * NAV's mock-oauth2-server, a real OIDC server (discovery, JWKS, authorization code with PKCE, refresh with
 * rotation, RFC 7009 revocation, userinfo), in-process on a random port. Answers it would not produce on its
 * own (failures, a refresh without refresh token) are armed on an extra route in front of its token endpoint,
 * in the form RFC 6749 §5.1/§5.2 prescribes, and used once.
 */
public final class MockOAuth2ServerSimulation implements SimulatedIdp {

    public static final String ISSUER_ID = "default";
    public static final String CLIENT_ID = "token-broker";
    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private final MockOAuth2Server server;
    private final String clientSecret = "mock-secret-" + UUID.randomUUID();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final AtomicReference<CannedResponse> nextTokenResponse = new AtomicReference<>();
    // Fixed for the simulation's life: consent() queues a token callback for it, and a check that never exchanges
    // the code leaves that callback queued for the next token request.
    private final String subject = "user-" + UUID.randomUUID();

    public MockOAuth2ServerSimulation() {
        server = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{\"interactiveLogin\":false,\"rotateRefreshToken\":true}"),
                new ArmedTokenResponseRoute());
        server.start();
    }

    public String issuerUrl() {
        return server.issuerUrl(ISSUER_ID).toString();
    }

    public MockOAuth2Server server() {
        return server;
    }

    @Override
    public void reset() {
        drainRequests();
        requests.clear();
        nextTokenResponse.set(null);
    }

    @Override
    public String clientSecret() {
        return clientSecret;
    }

    @Override
    public URI consent(URI authorizationRequest) {
        // The token request after this authorization issues tokens for this subject.
        server.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject));
        try {
            HttpResponse<Void> redirect = BROWSER.send(HttpRequest.newBuilder(authorizationRequest).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (redirect.statusCode() != 302) {
                throw new IllegalStateException("mock-oauth2-server answered the authorization request with " + redirect.statusCode());
            }
            return URI.create(redirect.headers().firstValue("Location").orElseThrow());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<String> expectedSubject() {
        return Optional.of(subject);
    }

    @Override
    public Optional<String> issuer() {
        return Optional.of(issuerUrl());
    }

    @Override
    public void rotateRefreshTokenOnNextRefresh() {
        // Configured: the server rotates on every refresh.
    }

    @Override
    public void omitRefreshTokenOnNextRefresh() {
        SignedJWT idToken = server.issueToken(ISSUER_ID, subject, CLIENT_ID);
        SignedJWT accessToken = server.issueToken(ISSUER_ID, subject, "api");
        JSONObject body = new JSONObject();
        body.put("token_type", "Bearer");
        body.put("access_token", accessToken.serialize());
        body.put("id_token", idToken.serialize());
        body.put("expires_in", 3599);
        body.put("scope", "openid profile email");
        nextTokenResponse.set(json(200, body.toJSONString()));
    }

    @Override
    public boolean issueIdTokenForAnotherSubjectOnNextRefresh() {
        String other = "user-" + UUID.randomUUID();
        JSONObject body = new JSONObject();
        body.put("token_type", "Bearer");
        body.put("access_token", server.issueToken(ISSUER_ID, other, "api").serialize());
        body.put("id_token", server.issueToken(ISSUER_ID, other, CLIENT_ID).serialize());
        body.put("refresh_token", "rt-" + UUID.randomUUID());
        body.put("expires_in", 3599);
        nextTokenResponse.set(json(200, body.toJSONString()));
        return true;
    }

    @Override
    public void failNextTokenRequest(SimulatedFailure failure) {
        CannedResponse response;
        switch (failure.reason()) {
            case SERVER_ERROR:
                response = json(500, error("server_error"));
                break;
            case RATE_LIMITED_FOR:
                response = json(429, error("temporarily_unavailable")).withHeader("Retry-After", Long.toString(failure.retryAfter().toSeconds()));
                break;
            case RATE_LIMITED_UNTIL:
                response = json(429, error("temporarily_unavailable"))
                        .withHeader("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(failure.retryAt().atOffset(ZoneOffset.UTC)));
                break;
            case GRANT_REVOKED:
                response = json(400, error("invalid_grant"));
                break;
            case CLIENT_REJECTED:
                response = json(401, error("invalid_client")).withHeader("WWW-Authenticate", "Basic realm=\"token\"");
                break;
            case CLIENT_NOT_AUTHORIZED:
                response = json(400, error("unauthorized_client"));
                break;
            case REDIRECT_URI_MISMATCH:
                // RFC 6749 §5.2 lists a token-endpoint redirect_uri mismatch under invalid_grant, which no connector
                // can tell from a used-up code; servers that say what is wrong (Keycloak, Spring Authorization
                // Server) answer invalid_request, which is what this simulation sends.
                response = json(400, "{\"error\":\"invalid_request\",\"error_description\":\"redirect_uri does not match\"}");
                break;
            case SLOW_RESPONSE:
                response = json(200, "{}").delayedBy((int) ConnectorTestKit.SLOW_RESPONSE_DELAY.toMillis());
                break;
            default:
                throw new IllegalArgumentException(failure.reason().name());
        }
        nextTokenResponse.set(response);
    }

    @Override
    public Optional<String> lastIssuedRefreshToken() {
        // Responses are not recorded; the kit then checks rotation by comparison with the old token.
        return Optional.empty();
    }

    @Override
    public Map<String, String> lastTokenRequestParameters() {
        drainRequests();
        for (int i = requests.size() - 1; i >= 0; i--) {
            RecordedRequest request = requests.get(i);
            if ("POST".equals(request.getMethod()) && request.getPath().startsWith("/" + ISSUER_ID + "/token")) {
                return WireMockRequests.formParameters(request.getBody().clone().readUtf8());
            }
        }
        return Map.of();
    }

    @Override
    public boolean supportsRevocation() {
        return true;
    }

    @Override
    public List<RevocationCall> revocations() {
        drainRequests();
        List<RevocationCall> calls = new ArrayList<>();
        for (RecordedRequest request : requests) {
            if ("POST".equals(request.getMethod()) && request.getPath().startsWith("/" + ISSUER_ID + "/revoke")) {
                Map<String, String> form = WireMockRequests.formParameters(request.getBody().clone().readUtf8());
                calls.add(new RevocationCall(form.get("token"), Optional.ofNullable(form.get("token_type_hint"))));
            }
        }
        return calls;
    }

    private void drainRequests() {
        // takeRequest throws (rather than returning null) once the journal is empty.
        while (true) {
            try {
                requests.add(server.takeRequest(1, TimeUnit.MILLISECONDS));
            } catch (RuntimeException empty) {
                return;
            }
        }
    }

    private static CannedResponse json(int status, String body) {
        return new CannedResponse(status, List.of("Content-Type", "application/json;charset=UTF-8", "Cache-Control", "no-store"), body, 0);
    }

    /** A raw token endpoint answer. */
    private record CannedResponse(int status, List<String> headers, String body, long delayMillis) {
        CannedResponse withHeader(String name, String value) {
            List<String> more = new ArrayList<>(headers);
            more.add(name);
            more.add(value);
            return new CannedResponse(status, more, body, delayMillis);
        }

        CannedResponse delayedBy(long millis) {
            return new CannedResponse(status, headers, body, millis);
        }
    }

    /** Answers the next token request with the armed response, once; otherwise the server's own route answers. */
    private final class ArmedTokenResponseRoute implements Route {
        @Override
        public boolean match(OAuth2HttpRequest request) {
            return nextTokenResponse.get() != null && "POST".equals(request.getMethod())
                    && request.getUrl().encodedPath().endsWith("/token");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            CannedResponse response = nextTokenResponse.getAndSet(null);
            if (response.delayMillis() > 0) {
                // Server side: holds only this simulated response, like an overloaded IdP.
                try {
                    Thread.sleep(response.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new OAuth2HttpResponse(Headers.of(response.headers().toArray(new String[0])), response.status(), response.body(), null);
        }
    }

    private static String error(String code) {
        return "{\"error\":\"" + code + "\",\"error_description\":\"simulated " + code + "\"}";
    }

}
