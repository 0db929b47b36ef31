package dev.tokenbroker.api.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.api.demo.DemoIdentityProvider;
import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ExchangedSubjectToken;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * RFC 8693 token exchange at {@code POST /oauth2/token}: the demo app's login (issuer {@code <demo IdP>/app},
 * trusted in demo mode) issues the user tokens; {@code test-exchanger} holds only {@code tokens:exchange}.
 */
@BrokerApiTest
class TokenExchangeTest {

    private static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final String DEMO = "urn:token-broker:connector:demo";
    private static final String EXCHANGER = "test-exchanger";

    @LocalServerPort
    int port;
    @Autowired
    DemoIdentityProvider demoIdp;
    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TokenSetQueries queries;

    ApiClients api;
    String appToken;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiClients(port);
        appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
    }

    @Test
    void aBackendExchangesAUsersTokenForThatUsersUpstreamTokenAndTheHandOutNamesTheSubjectToken() throws Exception {
        String linked = link("xavier");
        String jti = UUID.randomUUID().toString();

        HttpResponse<String> answer = exchange(EXCHANGER, BrokerApiTest.EXCHANGER_SECRET, form(
                "subject_token", userToken(claims("xavier", Map.of("jti", jti))), "subject_token_type", JWT_TYPE,
                "resource", DEMO, "requested_token_type", ACCESS_TOKEN_TYPE));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(answer.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(answer.headers().firstValue("Pragma")).hasValue("no-cache");
        JsonNode body = api.json(answer);
        assertThat(body.get("access_token").asText()).isEqualTo(linked);
        assertThat(body.get("issued_token_type").asText()).isEqualTo(ACCESS_TOKEN_TYPE);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isPositive();
        assertThat(body.get("scope").asText()).contains("openid");
        assertThat(body.has("refresh_token")).isFalse();

        // Again, with audience instead of resource and the access_token type: the same version, not recorded twice.
        HttpResponse<String> again = exchange(EXCHANGER, BrokerApiTest.EXCHANGER_SECRET, form(
                "subject_token", userToken(claims("xavier", Map.of())), "subject_token_type", ACCESS_TOKEN_TYPE,
                "audience", DEMO));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);

        List<AccessTokenHandedOut> handOuts = handOuts("xavier");
        assertThat(handOuts).hasSize(1);
        assertThat(handOuts.get(0).clientId()).isEqualTo(EXCHANGER);
        assertThat(handOuts.get(0).cause()).isEqualTo("token exchange");
        assertThat(handOuts.get(0).exchangedFor()).isEqualTo(
                new ExchangedSubjectToken("demo-app-login", demoIdp.appIssuer().toString(), "xavier", jti));
        assertThat(jdbc.queryForObject("select count(*) from token_hand_out where client_id = ? and token_set_id = ?",
                Long.class, EXCHANGER, TokenSetId.of("xavier", "demo").value())).isEqualTo(1);
    }

    @Test
    void anotherUsersTokenGetsThatUsersUpstreamTokenOrAConnectSessionHint() throws Exception {
        String yvonne = link("yvonne");
        String zack = link("zack");
        assertThat(yvonne).isNotEqualTo(zack);

        assertThat(api.json(exchange(subject(userToken(claims("zack", Map.of()))))).get("access_token").asText())
                .isEqualTo(zack);
        assertThat(api.json(exchange(subject(userToken(claims("yvonne", Map.of()))))).get("access_token").asText())
                .isEqualTo(yvonne);

        HttpResponse<String> notLinked = exchange(subject(userToken(claims("nobody-linked", Map.of()))));
        assertThat(notLinked.statusCode()).isEqualTo(400);
        JsonNode error = api.json(notLinked);
        assertThat(error.get("error").asText()).isEqualTo("invalid_target");
        assertThat(error.get("connect_session_required").asBoolean()).isTrue();
        assertThat(error.get("connect_session_reason").asText()).isEqualTo("not_linked");
        assertThat(error.get("error_description").asText()).contains("POST /v1/connect-sessions");
    }

    @Test
    void badSubjectTokensAreInvalidGrantAndHandNothingOut() throws Exception {
        link("wanda");
        long handOutsBefore = handOutRows();
        int eventsBefore = events("wanda");

        Map<String, String> rejected = new HashMap<>();
        rejected.put("expired", demoIdp.server().getConfig().getTokenProvider()
                .jwt(claims("wanda", Map.of()), Duration.ofSeconds(-600), DemoIdentityProvider.APP_ISSUER_ID).serialize());
        rejected.put("not yet valid", userToken(claims("wanda",
                Map.of("nbf", Instant.now().plusSeconds(600).getEpochSecond()))));
        rejected.put("wrong issuer", demoIdp.server().getConfig().getTokenProvider()
                .jwt(claims("wanda", Map.of("iss", demoIdp.server().issuerUrl("elsewhere").toString())),
                        Duration.ofHours(1), "elsewhere").serialize());
        rejected.put("trusted iss, other issuer's key", demoIdp.server().getConfig().getTokenProvider()
                .jwt(claims("wanda", Map.of()), Duration.ofHours(1), "elsewhere").serialize());
        rejected.put("wrong audience", userToken(claims("wanda", Map.of("aud", "some-other-api"))));
        rejected.put("foreign-signed", foreignSigned(claims("wanda", Map.of())));
        rejected.put("alg=none", new PlainJWT(JWTClaimsSet.parse(withExpiry(claims("wanda", Map.of())))).serialize());
        Map<String, Object> noSubject = claims("wanda", Map.of());
        noSubject.remove("sub");
        rejected.put("no sub", userToken(noSubject));
        Map<String, Object> noExpiry = claims("wanda", Map.of());
        noExpiry.put("exp", null);
        rejected.put("no exp", userToken(noExpiry));
        Map<String, Object> badUserId = claims("wanda", Map.of());
        badUserId.put("sub", "not a user id!");
        rejected.put("sub not a user id", userToken(badUserId));
        rejected.put("not a JWT", "opaque-token-without-introspection");
        rejected.put("garbled JWT", "eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln");

        for (Map.Entry<String, String> entry : rejected.entrySet()) {
            HttpResponse<String> answer = exchange(subject(entry.getValue()));
            assertThat(answer.statusCode()).as(entry.getKey() + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.headers().firstValue("Content-Type")).as(entry.getKey())
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(api.json(answer).get("error").asText()).as(entry.getKey() + ": " + answer.body())
                    .isEqualTo("invalid_grant");
            assertThat(answer.body()).as(entry.getKey()).doesNotContain(entry.getValue());
        }
        assertThat(handOutRows()).isEqualTo(handOutsBefore);
        assertThat(events("wanda")).isEqualTo(eventsBefore);
    }

    @Test
    void badRequestsAreAnsweredWithTheirRfc8693ErrorAndHandNothingOut() throws Exception {
        link("vera");
        long handOutsBefore = handOutRows();
        int eventsBefore = events("vera");
        String token = userToken(claims("vera", Map.of()));

        record Case(String name, String clientId, String secret, String body, int status, String error) {
        }
        List<Case> cases = List.of(
                new Case("connector the client may not use", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE,
                                "resource", "urn:token-broker:connector:github"), 400, "invalid_target"),
                new Case("unknown connector", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE,
                                "resource", "urn:token-broker:connector:nope"), 400, "invalid_target"),
                new Case("not a connector URN", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE,
                                "resource", "https://api.github.com"), 400, "invalid_target"),
                new Case("several resources", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE, "resource", DEMO,
                                "resource", "urn:token-broker:connector:github"), 400, "invalid_target"),
                new Case("resource and another audience", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE, "resource", DEMO,
                                "audience", "urn:token-broker:connector:github"), 400, "invalid_target"),
                new Case("no target", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE), 400, "invalid_request"),
                new Case("client without tokens:exchange", "test-backend", BrokerApiTest.BACKEND_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE, "resource", DEMO),
                        400, "unauthorized_client"),
                new Case("unknown requested_token_type", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE, "resource", DEMO,
                                "requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token"),
                        400, "invalid_request"),
                new Case("unknown subject_token_type", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", "urn:ietf:params:oauth:token-type:saml2",
                                "resource", DEMO), 400, "invalid_request"),
                new Case("no subject_token", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token_type", JWT_TYPE, "resource", DEMO), 400, "invalid_request"),
                new Case("two subject_tokens", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token", token, "subject_token_type", JWT_TYPE,
                                "resource", DEMO), 400, "invalid_request"),
                new Case("actor_token", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE, "resource", DEMO,
                                "actor_token", token, "actor_token_type", JWT_TYPE), 400, "invalid_request"),
                new Case("min_validity out of range", EXCHANGER, BrokerApiTest.EXCHANGER_SECRET,
                        form("subject_token", token, "subject_token_type", JWT_TYPE, "resource", DEMO,
                                "min_validity", "-1"), 400, "invalid_request"),
                new Case("wrong client secret", EXCHANGER, "wrong-secret-0123456789",
                        form("subject_token", token, "subject_token_type", JWT_TYPE, "resource", DEMO),
                        401, "invalid_client"));

        for (Case c : cases) {
            HttpResponse<String> answer = exchange(c.clientId(), c.secret(), c.body());
            assertThat(answer.statusCode()).as(c.name() + ": " + answer.body()).isEqualTo(c.status());
            assertThat(api.json(answer).get("error").asText()).as(c.name()).isEqualTo(c.error());
            assertThat(answer.body()).as(c.name()).doesNotContain(token);
        }
        assertThat(handOutRows()).isEqualTo(handOutsBefore);
        assertThat(events("vera")).isEqualTo(eventsBefore);
        // The client-credentials grant is unchanged, also for an exchange-only client.
        HttpResponse<String> clientCredentials = api.tokenBasic(EXCHANGER, BrokerApiTest.EXCHANGER_SECRET, null);
        assertThat(clientCredentials.statusCode()).isEqualTo(200);
        assertThat(api.json(clientCredentials).get("scope").asText()).isEqualTo("tokens:exchange");
    }

    @Test
    void anExpiringTokenIsRefreshedOnceForConcurrentExchangesAndTokenApiCalls() throws Exception {
        // The demo IdP issues the next token with 20 s left: less than the default min_validity of 60 s.
        demoIdp.server().enqueueCallback(new DefaultOAuth2TokenCallback("demo", "uma-upstream",
                JOSEObjectType.JWT.getType(), null, Map.of(), 20));
        String linked = link("uma");
        String backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        String subjectToken = userToken(claims("uma", Map.of()));

        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                responses.add(callers.submit(i % 2 == 0
                        ? () -> exchange(subject(subjectToken))
                        : () -> api.get("/v1/users/uma/connections/demo/token", backendToken)));
            }
            Set<String> tokens = new HashSet<>();
            for (Future<HttpResponse<String>> response : responses) {
                HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                tokens.add(api.json(answer).get("access_token").asText());
            }
            assertThat(tokens).doesNotContain(linked);
            TokenSetId id = TokenSetId.of("uma", "demo");
            long refreshes = eventStore.readEvents(id.toString()).asStream()
                    .filter(message -> message.getPayload() instanceof TokenSetRefreshed).count();
            // Callers of both kinds waiting at the same time shared upstream refreshes: fewer tokens than callers,
            // and each handed-out token came from a recorded refresh.
            assertThat(tokens.size()).isLessThan(8);
            assertThat(refreshes).isGreaterThanOrEqualTo(tokens.size());
            assertThat(handOuts("uma").stream().map(AccessTokenHandedOut::clientId).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(EXCHANGER, "test-backend");
        } finally {
            callers.shutdownNow();
        }
    }

    // ---- fixtures -------------------------------------------------------------------------------------

    /** Links the user's demo account and returns the upstream access token the broker holds. */
    private String link(String userId) throws Exception {
        new DemoLinking(api).link(appToken, userId, userId + "-upstream");
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> queries.currentAccessToken(userId, "demo") instanceof CurrentAccessToken.Available available
                        ? available.accessToken().reveal() : null,
                token -> token != null);
    }

    private Map<String, Object> claims(String subject, Map<String, Object> overrides) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("iss", demoIdp.appIssuer().toString());
        claims.put("aud", "token-broker");
        claims.put("sub", subject);
        claims.putAll(overrides);
        return claims;
    }

    /** Signed by the demo app's login (the trusted issuer's key), valid for an hour unless the claims say otherwise. */
    private String userToken(Map<String, Object> claims) {
        return demoIdp.server().getConfig().getTokenProvider()
                .jwt(claims, Duration.ofHours(1), DemoIdentityProvider.APP_ISSUER_ID).serialize();
    }

    private static Map<String, Object> withExpiry(Map<String, Object> claims) {
        Map<String, Object> copy = new HashMap<>(claims);
        copy.put("exp", Instant.now().plusSeconds(3600).getEpochSecond());
        return copy;
    }

    /** Valid claims and the trusted key's id, signed with another key. */
    private String foreignSigned(Map<String, Object> claims) throws Exception {
        String trustedKeyId = demoIdp.server().getConfig().getTokenProvider()
                .publicJwkSet(DemoIdentityProvider.APP_ISSUER_ID).getKeys().get(0).getKeyID();
        RSAKey foreign = new RSAKeyGenerator(2048).keyID(trustedKeyId).generate();
        Map<String, Object> withTimes = withExpiry(claims);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(trustedKeyId).build(),
                JWTClaimsSet.parse(withTimes));
        jwt.sign(new RSASSASigner(foreign));
        return jwt.serialize();
    }

    private String subject(String subjectToken) {
        return form("subject_token", subjectToken, "subject_token_type", JWT_TYPE, "resource", DEMO);
    }

    private HttpResponse<String> exchange(String body) throws Exception {
        return exchange(EXCHANGER, BrokerApiTest.EXCHANGER_SECRET, body);
    }

    private HttpResponse<String> exchange(String clientId, String secret, String body) throws Exception {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return api.send(HttpRequest.newBuilder(URI.create(api.base() + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + URLEncoder.encode(GRANT, StandardCharsets.UTF_8)
                        + "&" + body))
                .build());
    }

    private static String form(String... namesAndValues) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            pairs.add(namesAndValues[i] + "=" + URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return String.join("&", pairs);
    }

    private List<AccessTokenHandedOut> handOuts(String userId) {
        return eventStore.readEvents(TokenSetId.of(userId, "demo").toString()).asStream()
                .map(message -> (Object) message.getPayload())
                .filter(AccessTokenHandedOut.class::isInstance).map(AccessTokenHandedOut.class::cast).toList();
    }

    private int events(String userId) {
        return (int) eventStore.readEvents(TokenSetId.of(userId, "demo").toString()).asStream().count();
    }

    private long handOutRows() {
        return jdbc.queryForObject("select count(*) from token_hand_out", Long.class);
    }
}
