package dev.tokenbroker.connectors.faults;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;
import dev.tokenbroker.connectors.oauth2.OAuth2Connector;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorConfiguration;
import dev.tokenbroker.connectors.oidc.JwksIdTokenValidation;
import net.minidev.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * An IdP that is down, slow or answers garbage, against the generic OIDC connector (the path every OAuth 2.0 / OIDC
 * connector shares): each failure is classified, bounded in time and memory, and leaks no thread or connection.
 *
 * <p>Classification expected (see {@link ConnectorErrorKind}):
 * <pre>
 * headers later than the read timeout ........................ TRANSIENT (no status: answer lost)
 * body trickling in byte by byte past connect + read .......... TRANSIENT (no status)
 * connection reset / empty reply / malformed chunk ............ TRANSIENT (no status)
 * 500/502/503 with an HTML error page, 408 .................... TRANSIENT (status)
 * body over 1 MiB, declared or chunked, 2xx/4xx ............... INVALID_RESPONSE (status), read stops at the cap
 * body over 1 MiB with 5xx .................................... TRANSIENT
 * 200 with HTML, 200 with invalid JSON, 200 without tokens .... INVALID_RESPONSE
 * 400 with HTML ............................................... INVALID_RESPONSE
 * 200 with {"error":"invalid_grant"} .......................... PERMANENT_GRANT
 * 200 with {"error":"temporarily_unavailable"} ................ TRANSIENT
 * refreshed ID token for another sub .......................... INVALID_RESPONSE
 * ID token iat/exp off by less than 60 s ...................... accepted
 * ID token iat/exp off by more than 60 s ...................... INVALID_RESPONSE
 * </pre>
 */
class IdpMisbehaviourTest {

    private static final String CLIENT_ID = "broker-client";
    private static final String ISSUER = "https://idp.example";
    private static final String SUBJECT = "account-1";
    private static final Duration CONNECT = Duration.ofSeconds(1);
    private static final Duration READ = Duration.ofMillis(400);
    /** The whole exchange must end within connect + read; this much more for scheduling on a loaded machine. */
    private static final Duration SLACK = Duration.ofMillis(1500);
    /** Size checks get time enough that only the size can fail them (WireMock is slow to serve megabytes). */
    private static final Duration SIZE_TEST_READ = Duration.ofSeconds(8);

    private static WireMockServer idp;
    private static RSAKey signingKey;

    private Connector connector;
    private boolean sizeTest;

    @BeforeAll
    static void startIdp() throws JOSEException {
        signingKey = new RSAKeyGenerator(2048).keyID("k1").generate();
        idp = new WireMockServer(options().dynamicPort().containerThreads(40));
        idp.start();
    }

    @AfterAll
    static void stopIdp() {
        idp.stop();
    }

    @BeforeEach
    void connector() {
        idp.resetAll();
        idp.stubFor(get(urlPathEqualTo("/jwks")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(new JWKSet(signingKey.toPublicJWK()).toString())));
        connector = oidcConnector(idp.baseUrl());
    }

    private static Connector oidcConnector(String base) {
        return oidcConnector(base, READ);
    }

    private static Connector oidcConnector(String base, Duration read) {
        UpstreamHttpClient http = new UpstreamHttpClient("corp", new ConnectorTimeouts(CONNECT, read), Clock.systemUTC());
        OAuth2ConnectorConfiguration configuration = OAuth2ConnectorConfiguration.builder("corp", new ClientID(CLIENT_ID),
                        new Secret("client-secret-value"), URI.create(base + "/authorize"), URI.create(base + "/token"))
                .issuer(new Issuer(ISSUER), false)
                .defaultScope(new Scope("openid"))
                .build();
        JwksIdTokenValidation idTokens = new JwksIdTokenValidation("corp", new Issuer(ISSUER), new ClientID(CLIENT_ID),
                URI.create(base + "/jwks"), Set.of(JWSAlgorithm.RS256), http);
        return new OAuth2Connector(configuration, http, idTokens);
    }

    // ---- time ----------------------------------------------------------------------------------------------

    @Test
    void headersLaterThanTheReadTimeoutAreTransientAndBounded() {
        answer(tokens(SUBJECT).withFixedDelay(3000));
        assertRefreshFails(ConnectorErrorKind.TRANSIENT, null);
    }

    @Test
    void aBodyTricklingInByteByByteIsCutOffAtTheDeadline() {
        // Headers at once, then 10 s of body: a per-read socket timeout would never fire.
        answer(tokens(SUBJECT).withChunkedDribbleDelay(100, 10_000));
        ConnectorException failure = assertRefreshFails(ConnectorErrorKind.TRANSIENT, null);
        assertThat(failure.getMessage()).contains("timed out");
    }

    @Test
    void brokenConnectionsAreTransient() {
        for (Fault fault : List.of(Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE, Fault.MALFORMED_RESPONSE_CHUNK,
                Fault.RANDOM_DATA_THEN_CLOSE)) {
            answer(aResponse().withFault(fault));
            ConnectorException failure = assertRefreshFails(ConnectorErrorKind.TRANSIENT, null);
            assertThat(failure.getMessage()).as(fault.name()).contains("failed");
        }
    }

    // ---- size ----------------------------------------------------------------------------------------------

    @Test
    void anOversizedDeclaredBodyIsAnInvalidResponseAndNotRead() {
        connector = oidcConnector(idp.baseUrl(), SIZE_TEST_READ);
        sizeTest = true;
        answer(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(hugeJson(2)));
        assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, 200);
    }

    @Test
    void anOversizedChunkedBodyIsCutOffAtTheCap() {
        // Chunked: no Content-Length to judge by; the reader stops at 1 MiB. 8 MiB in 50 chunks over 200 ms.
        connector = oidcConnector(idp.baseUrl(), SIZE_TEST_READ);
        sizeTest = true;
        answer(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(hugeJson(8))
                .withChunkedDribbleDelay(50, 200));
        assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, 200);
    }

    @Test
    void anOversizedServerErrorIsStillTransient() {
        connector = oidcConnector(idp.baseUrl(), SIZE_TEST_READ);
        sizeTest = true;
        answer(aResponse().withStatus(503).withHeader("Content-Type", "text/html").withBody(hugeJson(2)));
        assertRefreshFails(ConnectorErrorKind.TRANSIENT, 503);
    }

    // ---- garbage ----------------------------------------------------------------------------------------------

    @Test
    void htmlErrorPagesFromTheServerAreTransient() {
        for (int status : new int[] {500, 502, 503, 504, 408}) {
            answer(html(status));
            assertRefreshFails(ConnectorErrorKind.TRANSIENT, status);
        }
    }

    @Test
    void htmlWithSuccessOrBadRequestIsAnInvalidResponse() {
        answer(html(200));
        assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, 200);
        answer(html(400));
        assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, 400);
        answer(html(302).withHeader("Location", "https://idp.example/login"));
        assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, 302);
    }

    @Test
    void invalidJsonIsAnInvalidResponse() {
        for (String body : List.of("{\"access_token\":\"abc\",", "[1,2,3]", "null", "", "{\"access_token\":42,\"token_type\":{}}",
                "{\"token_type\":\"Bearer\"}")) {
            answer(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body));
            assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, 200);
        }
    }

    @Test
    void anErrorInASuccessfulAnswerIsClassifiedByItsCode() {
        answer(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}"));
        assertRefreshFails(ConnectorErrorKind.PERMANENT_GRANT, 200);
        answer(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"error\":\"temporarily_unavailable\"}"));
        assertRefreshFails(ConnectorErrorKind.TRANSIENT, 200);
    }

    // ---- the refreshed ID token ------------------------------------------------------------------------------

    @Test
    void aRefreshedIdTokenForAnotherSubjectIsRefused() {
        answer(tokens("someone-else"));
        ConnectorException failure = catchThrowableOfType(
                () -> connector.refresh(new RefreshToken("rt"), null, SUBJECT), ConnectorException.class);
        assertThat(failure).isNotNull();
        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.INVALID_RESPONSE);
        assertThat(failure.getMessage()).doesNotContain("someone-else");

        answer(tokens(SUBJECT));
        TokenResult same = connector.refresh(new RefreshToken("rt"), null, SUBJECT);
        assertThat(same.idTokenClaims().orElseThrow().getSubject().getValue()).isEqualTo(SUBJECT);
    }

    @Test
    void clockSkewWithinTheToleranceIsAcceptedBeyondItRejected() {
        Instant now = Instant.now();
        Duration within = JwksIdTokenValidation.MAX_CLOCK_SKEW.minusSeconds(30);
        Duration beyond = JwksIdTokenValidation.MAX_CLOCK_SKEW.plusSeconds(120);

        // IdP clock ahead: issued "in the future".
        answer(tokens(SUBJECT, now.plus(within), now.plus(within).plusSeconds(3600)));
        assertThat(connector.refresh(new RefreshToken("rt"), null, SUBJECT).idTokenClaims()).isPresent();
        answer(tokens(SUBJECT, now.plus(beyond), now.plus(beyond).plusSeconds(3600)));
        assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, null);

        // IdP clock behind: already expired by our clock.
        answer(tokens(SUBJECT, now.minusSeconds(3600), now.minus(within)));
        assertThat(connector.refresh(new RefreshToken("rt"), null, SUBJECT).idTokenClaims()).isPresent();
        answer(tokens(SUBJECT, now.minusSeconds(3600), now.minus(beyond)));
        assertRefreshFails(ConnectorErrorKind.INVALID_RESPONSE, null);
    }

    @Test
    void aJwksEndpointThatTricklesIsBoundedAndTransient() {
        idp.stubFor(get(urlPathEqualTo("/jwks")).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(new JWKSet(signingKey.toPublicJWK()).toString())
                .withChunkedDribbleDelay(50, 10_000)));
        answer(tokens(SUBJECT));
        assertRefreshFails(ConnectorErrorKind.TRANSIENT, null);
    }

    // ---- leaks -------------------------------------------------------------------------------------------------

    @Test
    @EnabledOnOs(OS.LINUX)
    void manyFailingCallsLeakNoThreadAndNoConnection() throws Exception {
        // Warm up: one client selector thread and the JWKS cached.
        answer(tokens(SUBJECT));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> connector.refresh(new RefreshToken("rt"), null, SUBJECT) != null);
        long socketsBefore = connectionsToIdp();
        long clientThreadsBefore = clientThreads();

        List<Supplier<ResponseDefinitionBuilder>> faults = List.of(
                () -> tokens(SUBJECT).withChunkedDribbleDelay(200, 20_000),
                () -> tokens(SUBJECT).withFixedDelay(20_000),
                () -> aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(hugeJson(2)),
                () -> aResponse().withStatus(200).withBody(hugeJson(4)).withChunkedDribbleDelay(20, 100),
                () -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                () -> html(502),
                () -> tokens("someone-else"));
        int calls = 70;
        int concurrency = 4;
        ExecutorService callers = Executors.newFixedThreadPool(concurrency);
        try {
            // The probe sees a connection while one is open (a trickling answer in flight).
            idp.stubFor(post(urlPathEqualTo("/token")).atPriority(1)
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("refresh_token=probe"))
                    .willReturn(tokens(SUBJECT).withChunkedDribbleDelay(200, 20_000)));
            Future<?> probe = callers.submit(() -> catchThrowableOfType(
                    () -> connector.refresh(new RefreshToken("probe"), null, SUBJECT), ConnectorException.class));
            await().atMost(Duration.ofSeconds(5)).until(() -> connectionsToIdp() > socketsBefore || probe.isDone());
            assertThat(connectionsToIdp() > socketsBefore || probe.isDone()).isTrue();
            probe.get();

            List<Future<ConnectorErrorKind>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Supplier<ResponseDefinitionBuilder> fault = faults.get(i % faults.size());
                String refreshToken = "rt-" + i;
                idp.stubFor(post(urlPathEqualTo("/token")).atPriority(1)
                        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("refresh_token=" + refreshToken + "&")
                                .or(com.github.tomakehurst.wiremock.client.WireMock.matching(".*refresh_token=" + refreshToken + "$")))
                        .willReturn(fault.get()));
                results.add(callers.submit(() -> {
                    try {
                        connector.refresh(new RefreshToken(refreshToken), null, SUBJECT);
                        return null;
                    } catch (ConnectorException e) {
                        return e.kind();
                    }
                }));
            }
            for (Future<ConnectorErrorKind> result : results) {
                assertThat(result.get()).as("every call failed, none hung").isIn(ConnectorErrorKind.TRANSIENT, ConnectorErrorKind.INVALID_RESPONSE);
            }
        } finally {
            callers.shutdownNow();
        }

        // Aborted exchanges close their connections although the server would still be sending (or sleeping) for
        // 20 s; connections of completed exchanges may stay pooled, at most one per concurrent caller.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(connectionsToIdp()).as("open connections to the IdP (before: %d)", socketsBefore)
                        .isLessThanOrEqualTo(socketsBefore + concurrency));
        assertThat(clientThreads()).as("HttpClient threads (before: %d)", clientThreadsBefore)
                .isLessThanOrEqualTo(clientThreadsBefore + concurrency + 2);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private ConnectorException assertRefreshFails(ConnectorErrorKind expected, Integer status) {
        long started = System.nanoTime();
        ConnectorException failure = catchThrowableOfType(
                () -> connector.refresh(new RefreshToken("rt"), null, SUBJECT), ConnectorException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(failure).as("a ConnectorException").isNotNull();
        assertThat(failure.kind()).as("classification: %s", failure.getMessage()).isEqualTo(expected);
        if (status == null) {
            assertThat(failure.httpStatus()).as("status").isEmpty();
        } else {
            assertThat(failure.httpStatus()).as("status").contains(status);
        }
        assertThat(took).as("bounded by connect + read timeout").isLessThan(CONNECT.plus(READ).plus(SLACK).plus(
                sizeTest ? SIZE_TEST_READ : Duration.ZERO));
        return checked(failure);
    }

    private ConnectorException checked(ConnectorException failure) {
        assertThat(failure.getMessage()).doesNotContain("client-secret-value");
        return failure;
    }

    private static void answer(ResponseDefinitionBuilder response) {
        idp.stubFor(post(urlPathEqualTo("/token")).willReturn(response));
    }

    private static ResponseDefinitionBuilder html(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/html; charset=utf-8")
                .withBody("<!DOCTYPE html><html><head><title>" + status + "</title></head><body><h1>Something went wrong</h1></body></html>");
    }

    private static ResponseDefinitionBuilder tokens(String subject) {
        Instant now = Instant.now();
        return tokens(subject, now, now.plusSeconds(3600));
    }

    private static ResponseDefinitionBuilder tokens(String subject, Instant issuedAt, Instant expiresAt) {
        JSONObject body = new JSONObject();
        body.put("access_token", "at-" + System.nanoTime());
        body.put("token_type", "Bearer");
        body.put("expires_in", 3600);
        body.put("id_token", idToken(subject, issuedAt, expiresAt));
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body.toJSONString());
    }

    private static String idToken(String subject, Instant issuedAt, Instant expiresAt) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).audience(CLIENT_ID).subject(subject)
                        .issueTime(Date.from(issuedAt)).expirationTime(Date.from(expiresAt)).build());
        try {
            jwt.sign(new RSASSASigner(signingKey));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static String hugeJson(int mebibytes) {
        return "{\"access_token\":\"" + "a".repeat(mebibytes * 1024 * 1024) + "\",\"token_type\":\"Bearer\"}";
    }

    /**
     * Sockets this process holds open (a file descriptor) whose remote end is the IdP: the client side of
     * connections, which is what a leak would keep. The server side (WireMock, same JVM) is not counted.
     */
    private static long connectionsToIdp() throws IOException {
        Set<String> inodes = new java.util.HashSet<>();
        String port = String.format("%04X", idp.port());
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] columns = line.trim().split("\\s+");
                if (columns[2].endsWith(":" + port)) {
                    inodes.add(columns[9]);
                }
            }
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    return link.startsWith("socket:[") && inodes.contains(link.substring(8, link.length() - 1));
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    private static long clientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("HttpClient-")).count();
    }
}
