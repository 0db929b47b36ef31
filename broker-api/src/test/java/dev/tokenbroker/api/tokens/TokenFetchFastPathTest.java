package dev.tokenbroker.api.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.api.issuer.VerifiedTokenCache;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import jakarta.servlet.FilterChain;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * {@link TokenFetchFastPath}: it answers the common case itself, exactly as the full filter chain and controller
 * would, and passes every other request on untouched, with nothing recorded.
 */
@BrokerApiTest
class TokenFetchFastPathTest {

    @LocalServerPort
    int port;
    @Autowired
    VerifiedTokenCache apiTokens;
    @Autowired
    CallingClient callingClient;
    @Autowired
    ConnectorRegistry connectors;
    @Autowired
    AccessTokenRetrieval retrieval;
    @Autowired
    ObjectMapper json;
    @Autowired
    Clock clock;
    @Autowired
    TokenSetQueries queries;
    @Autowired
    JdbcTemplate jdbc;

    ApiClients api;
    String appToken;
    String backendToken;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiClients(port);
        appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        // as the resource server does on the token's first request (see leavesATokenNotVerifiedBeforeToTheFullChain)
        apiTokens.decode(backendToken);
        apiTokens.decode(appToken);
    }

    @Test
    void answersTheCommonCaseWithTheFullPathsAnswer() throws Exception {
        link("fp-olga");
        // The same question, once as the fast path takes it and once in a form it leaves to the full chain
        // (an extra query parameter, which the controller ignores).
        HttpResponse<String> fast = api.get("/v1/users/fp-olga/connections/demo/token", backendToken);
        HttpResponse<String> full = api.get("/v1/users/fp-olga/connections/demo/token?min_validity=60&twin=1", backendToken);

        assertThat(fast.statusCode()).isEqualTo(200);
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(headers(fast)).isEqualTo(headers(full));
        JsonNode fastBody = api.json(fast);
        JsonNode fullBody = api.json(full);
        assertThat(Math.abs(fastBody.get("expires_in").asLong() - fullBody.get("expires_in").asLong())).isLessThanOrEqualTo(1);
        assertThat(withoutExpiresIn(fastBody)).isEqualTo(withoutExpiresIn(fullBody));
        assertThat(fastBody.fieldNames()).toIterable()
                .containsExactly("access_token", "token_type", "expires_at", "expires_in", "scope");
    }

    @Test
    void answersTheCommonCaseItselfAndRecordsTheHandOut() throws Exception {
        link("fp-paul");
        String current = ((CurrentAccessToken.Available) queries.currentAccessToken("fp-paul", "demo")).accessToken().reveal();
        MockHttpServletRequest request = tokenRequest("fp-paul", "demo", backendToken);
        ServerRequestObservationContext observation = new ServerRequestObservationContext(request, new MockHttpServletResponse());
        request.setAttribute(ServerHttpObservationFilter.CURRENT_OBSERVATION_CONTEXT_ATTRIBUTE, observation);
        request.setQueryString("min_validity=120");
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicInteger passedOn = new AtomicInteger();

        fastPath().doFilter(request, response, counting(passedOn));

        assertThat(passedOn).as("answered by the fast path, not the chain").hasValue(0);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(json.readTree(response.getContentAsString()).get("access_token").asText()).isEqualTo(current);
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(observation.getPathPattern()).isEqualTo("/v1/users/{userId}/connections/{connector}/token");
        assertThat(handOuts("fp-paul")).isEqualTo(1);
    }

    @Test
    void passesEveryOtherRequestOnUntouchedWithNothingRecorded() throws Exception {
        link("fp-quinn");
        link(".");
        String erased = "fp-rita";
        link(erased);
        assertThat(api.send("DELETE", "/v1/users/" + erased + "/connections/demo", appToken, null, null).statusCode()).isEqualTo(204);
        String signature = backendToken.substring(backendToken.lastIndexOf('.') + 1);
        String tampered = backendToken.substring(0, backendToken.lastIndexOf('.') + 1)
                + (signature.charAt(0) == 'A' ? 'B' : 'A') + signature.substring(1);

        Map<String, Consumer<MockHttpServletRequest>> others = new TreeMap<>();
        others.put("POST", request -> request.setMethod("POST"));
        others.put("HEAD", request -> request.setMethod("HEAD"));
        others.put("no token", request -> request.removeHeader("Authorization"));
        others.put("tampered token", request -> bearer(request, tampered));
        others.put("Basic credentials", request -> bearer(request, null, "Basic dGVzdDp0ZXN0"));
        others.put("token without tokens:read", request -> bearer(request, appToken));
        others.put("unknown connector", request -> request.setRequestURI("/v1/users/fp-quinn/connections/nope/token"));
        others.put("allowed connector, not linked", request -> request.setRequestURI("/v1/users/fp-quinn/connections/github/token"));
        others.put("user not linked", request -> request.setRequestURI("/v1/users/fp-nobody/connections/demo/token"));
        others.put("unlinked and erased", request -> request.setRequestURI("/v1/users/" + erased + "/connections/demo/token"));
        others.put("needs a refresh", request -> request.setQueryString("min_validity=86400"));
        others.put("min_validity out of range", request -> request.setQueryString("min_validity=86401"));
        others.put("min_validity with a sign", request -> request.setQueryString("min_validity=+5"));
        others.put("min_validity with a leading zero", request -> request.setQueryString("min_validity=060"));
        others.put("min_validity empty", request -> request.setQueryString("min_validity="));
        others.put("min_validity twice", request -> request.setQueryString("min_validity=5&min_validity=6"));
        others.put("token in the query", request -> request.setQueryString("access_token=" + backendToken));
        others.put("other parameter", request -> request.setQueryString("x=1"));
        others.put("percent-encoded path", request -> request.setRequestURI("/v1/users/fp%2Dquinn/connections/demo/token"));
        others.put("path parameter", request -> request.setRequestURI("/v1/users/fp-quinn;x=1/connections/demo/token"));
        others.put("trailing slash", request -> request.setRequestURI("/v1/users/fp-quinn/connections/demo/token/"));
        others.put("other resource", request -> request.setRequestURI("/v1/users/fp-quinn/connections/demo/tokens"));
        others.put("user id too long", request -> request.setRequestURI("/v1/users/" + "u".repeat(129) + "/connections/demo/token"));
        others.put("connector id upper case", request -> request.setRequestURI("/v1/users/fp-quinn/connections/Demo/token"));
        others.put("Accept: text/html", request -> request.addHeader("Accept", "text/html"));
        // "." is a valid user id, linked here; as a path segment the firewall refuses it, so the full chain decides
        others.put("dot segment", request -> request.setRequestURI("/v1/users/./connections/demo/token"));

        int handOutsBefore = handOuts("fp-quinn");
        for (Map.Entry<String, Consumer<MockHttpServletRequest>> other : others.entrySet()) {
            MockHttpServletRequest request = tokenRequest("fp-quinn", "demo", backendToken);
            other.getValue().accept(request);
            MockHttpServletResponse response = new MockHttpServletResponse();
            AtomicInteger passedOn = new AtomicInteger();

            fastPath().doFilter(request, response, counting(passedOn));

            assertThat(passedOn).as(other.getKey() + ": passed on to the chain").hasValue(1);
            assertThat(response.getContentAsByteArray()).as(other.getKey() + ": nothing written").isEmpty();
            assertThat(response.getHeaderNames()).as(other.getKey() + ": no header set").isEmpty();
        }
        assertThat(handOuts("fp-quinn")).as("no hand-out recorded").isEqualTo(handOutsBefore);
        assertThat(handOuts(erased)).isZero();

        // and the same request in its plain form is the fast path's
        MockHttpServletResponse plain = new MockHttpServletResponse();
        AtomicInteger passedOn = new AtomicInteger();
        fastPath().doFilter(tokenRequest("fp-quinn", "demo", backendToken), plain, counting(passedOn));
        assertThat(passedOn).hasValue(0);
        assertThat(plain.getStatus()).isEqualTo(200);
    }

    @Test
    void leavesATokenNotVerifiedBeforeToTheFullChainAndNeverChecksASignature() throws Exception {
        link("fp-sam");
        String fresh = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        assertThat(apiTokens.remembered(fresh)).isNull();
        AtomicInteger passedOn = new AtomicInteger();

        fastPath().doFilter(tokenRequest("fp-sam", "demo", fresh), new MockHttpServletResponse(), counting(passedOn));

        assertThat(passedOn).as("a token never verified goes the full way").hasValue(1);
        assertThat(apiTokens.remembered(fresh)).as("the fast path verified nothing").isNull();
        assertThat(handOuts("fp-sam")).isZero();

        // its first request through the full chain verifies and remembers it; from then on the fast path answers
        assertThat(api.get("/v1/users/fp-sam/connections/demo/token", fresh).statusCode()).isEqualTo(200);
        assertThat(apiTokens.remembered(fresh)).isNotNull();
        MockHttpServletResponse answered = new MockHttpServletResponse();
        fastPath().doFilter(tokenRequest("fp-sam", "demo", fresh), answered, counting(passedOn));
        assertThat(passedOn).hasValue(1);
        assertThat(answered.getStatus()).isEqualTo(200);
    }

    @Test
    void minValidityIsReadOnlyInItsPlainForm() {
        assertThat(TokenFetchFastPath.minValidity(null)).isEqualTo(60);
        assertThat(TokenFetchFastPath.minValidity("min_validity=0")).isZero();
        assertThat(TokenFetchFastPath.minValidity("min_validity=86400")).isEqualTo(86_400);
        for (String refused : List.of("", "min_validity", "min_validity=", "min_validity=00", "min_validity=-1",
                "min_validity=1e3", "min_validity=99999", "min_validity=100000", "min_validity=1&x", "MIN_VALIDITY=5",
                "min_validity=%35")) {
            assertThat(TokenFetchFastPath.minValidity(refused)).as(refused).isEqualTo(-1);
        }
    }

    private TokenFetchFastPath fastPath() {
        return new TokenFetchFastPath(apiTokens, callingClient, connectors, retrieval, json, clock);
    }

    private static MockHttpServletRequest tokenRequest(String userId, String connector, String token) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/users/" + userId + "/connections/" + connector + "/token");
        bearer(request, token);
        return request;
    }

    private static void bearer(MockHttpServletRequest request, String token) {
        bearer(request, token, null);
    }

    private static void bearer(MockHttpServletRequest request, String token, String header) {
        request.removeHeader("Authorization");
        request.addHeader("Authorization", header != null ? header : "Bearer " + token);
    }

    private static FilterChain counting(AtomicInteger calls) {
        return (request, response) -> calls.incrementAndGet();
    }

    private void link(String userId) throws Exception {
        new DemoLinking(api).link(appToken, userId, userId + "-upstream");
        await().atMost(Duration.ofSeconds(10)).until(
                () -> queries.currentAccessToken(userId, "demo") instanceof CurrentAccessToken.Available);
    }

    private int handOuts(String userId) {
        return jdbc.queryForObject("select count(*) from token_hand_out where token_set_id = ?", Integer.class,
                TokenSetId.of(userId, "demo").value());
    }

    /** Every header but the ones that differ by transfer and time (the fast path sends a length, MVC chunks). */
    private static Map<String, List<String>> headers(HttpResponse<String> response) {
        Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
        for (String transfer : List.of("date", "content-length", "transfer-encoding")) {
            headers.remove(transfer);
        }
        return headers;
    }

    private static JsonNode withoutExpiresIn(JsonNode body) {
        ObjectNode copy = body.deepCopy();
        copy.remove("expires_in");
        return copy;
    }
}
