package dev.tokenbroker.api.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@BrokerApiTest
class TokenApiTest {

    @LocalServerPort
    int port;
    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TokenSetQueries queries;

    ApiClients api;
    String appToken;
    String backendToken;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiClients(port);
        appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
    }

    @Test
    void handsOutTheCurrentAccessTokenWithoutCachingAndRecordsEachVersionOnce() throws Exception {
        new DemoLinking(api).link(appToken, "erin", "erin-upstream");
        HttpResponse<String> first = awaitToken("erin");

        assertThat(first.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        JsonNode body = api.json(first);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("access_token").asText()).isNotBlank();
        assertThat(body.get("expires_in").asLong()).isPositive();
        assertThat(body.has("refresh_token")).isFalse();
        assertThat(first.body()).doesNotContain("refresh");

        for (int i = 0; i < 5; i++) {
            assertThat(api.get("/v1/users/erin/connections/demo/token", backendToken).statusCode()).isEqualTo(200);
        }
        List<Object> payloads = eventStore.readEvents(TokenSetId.of("erin", "demo").toString()).asStream()
                .map(message -> (Object) message.getPayload()).toList();
        assertThat(payloads).filteredOn(AccessTokenHandedOut.class::isInstance).hasSize(1);
        AccessTokenHandedOut handedOut = (AccessTokenHandedOut) payloads.stream()
                .filter(AccessTokenHandedOut.class::isInstance).findFirst().orElseThrow();
        assertThat(handedOut.clientId()).isEqualTo("test-backend");
    }

    @Test
    void anExpiringTokenIsRefreshedOnceForManyConcurrentCallers() throws Exception {
        // Every caller asks for a day of validity, more than any demo token has: each needs a refresh. (Not a
        // short-lived token queued at the demo IdP: a background refresh of another test's token set could take it.)
        new DemoLinking(api).link(appToken, "kim", "kim-upstream");
        TokenSetId id = TokenSetId.of("kim", "demo");
        await().atMost(Duration.ofSeconds(10)).until(() -> queries.tokenSet(id).isPresent());
        String linkedToken = queries.currentAccessToken("kim", "demo") instanceof CurrentAccessToken.Available available
                ? available.accessToken().reveal() : null;
        assertThat(linkedToken).isNotNull();

        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                responses.add(callers.submit(() -> api.get("/v1/users/kim/connections/demo/token?min_validity=86400", backendToken)));
            }
            Set<String> tokens = new HashSet<>();
            for (Future<HttpResponse<String>> response : responses) {
                HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                // A refreshed demo token lives shorter than min_validity, yet it is fresh: handed out.
                assertThat(api.json(answer).get("expires_in").asLong()).isPositive();
                tokens.add(api.json(answer).get("access_token").asText());
            }
            assertThat(tokens).doesNotContain(linkedToken);
            // Callers waiting at the same time shared one upstream refresh (and so one new token); each handed-out
            // token came from a recorded refresh.
            long refreshes = eventStore.readEvents(id.toString()).asStream()
                    .filter(message -> message.getPayload() instanceof TokenSetRefreshed).count();
            assertThat(tokens.size()).isLessThan(8);
            assertThat(refreshes).isGreaterThanOrEqualTo(tokens.size());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void listsConnectionsAsMetadataOnly() throws Exception {
        new DemoLinking(api).link(appToken, "frank", "frank-upstream");
        awaitToken("frank");
        String accessToken = api.json(api.get("/v1/users/frank/connections/demo/token", backendToken))
                .get("access_token").asText();

        HttpResponse<String> listed = api.get("/v1/users/frank/connections", appToken);

        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode connections = api.json(listed);
        assertThat(connections).hasSize(1);
        assertThat(connections.get(0).get("connector").asText()).isEqualTo("demo");
        assertThat(connections.get(0).get("status").asText()).isEqualTo("ACTIVE");
        assertThat(connections.get(0).get("upstreamSubject").asText()).isEqualTo("frank-upstream");
        assertThat(listed.body()).doesNotContain(accessToken);
    }

    @Test
    void unlinkingRevokesUpstreamErasesAndThenTheTokenIsGone() throws Exception {
        new DemoLinking(api).link(appToken, "grace", "grace-upstream");
        String accessToken = api.json(awaitToken("grace")).get("access_token").asText();

        HttpResponse<String> deleted = api.send("DELETE", "/v1/users/grace/connections/demo", appToken, null, null);

        assertThat(deleted.statusCode()).isEqualTo(204);
        TokenSetRevoked revoked = (TokenSetRevoked) eventStore.readEvents(TokenSetId.of("grace", "demo").toString())
                .asStream().map(message -> (Object) message.getPayload()).filter(TokenSetRevoked.class::isInstance)
                .findFirst().orElseThrow();
        assertThat(revoked.upstreamOutcome().name()).isEqualTo("REVOKED");
        // At once, even before the read model catches up: the data keys are gone.
        HttpResponse<String> gone = api.get("/v1/users/grace/connections/demo/token", backendToken);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(api.json(gone).get("type").asText()).isEqualTo("urn:token-broker:problem:not_linked");
        assertNoTableContains(accessToken);
        assertThat(api.send("DELETE", "/v1/users/grace/connections/demo", appToken, null, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void anAdminErasesEveryTokenSetOfAUser() throws Exception {
        new DemoLinking(api).link(appToken, "heidi", "heidi-upstream");
        awaitToken("heidi");
        String admin = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);

        assertThat(api.send("DELETE", "/v1/users/heidi", appToken, null, null).statusCode()).isEqualTo(403);
        assertThat(api.send("DELETE", "/v1/users/heidi", admin, null, null).statusCode()).isEqualTo(204);

        assertThat(api.get("/v1/users/heidi/connections/demo/token", backendToken).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.json(api.get("/v1/users/heidi/connections", appToken))).isEmpty());
    }

    /**
     * A rebuild of the view clears its rows and replays them; a token set the replay has not reached has no row,
     * on every instance. It is still linked: the token API hands out its token, and erasing the user erases it.
     */
    @Test
    void aTokenSetMissingFromTheViewIsStillAnsweredAndErased() throws Exception {
        new DemoLinking(api).link(appToken, "ivan", "ivan-upstream");
        String ivansToken = api.json(awaitToken("ivan")).get("access_token").asText();
        new DemoLinking(api).link(appToken, "judy", "judy-upstream");
        String judysToken = api.json(awaitToken("judy")).get("access_token").asText();
        String admin = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);

        String listedBefore = api.get("/v1/users/ivan/connections", appToken).body();

        jdbc.update("DELETE FROM token_set_view WHERE user_id IN ('ivan', 'judy')");

        HttpResponse<String> stillLinked = api.get("/v1/users/ivan/connections/demo/token", backendToken);
        assertThat(stillLinked.statusCode()).isEqualTo(200);
        assertThat(api.json(stillLinked).get("access_token").asText()).isEqualTo(ivansToken);
        HttpResponse<String> stillListed = api.get("/v1/users/ivan/connections", appToken);
        assertThat(stillListed.statusCode()).isEqualTo(200);
        assertThat(api.json(stillListed)).as("the listing folds what the view lacks").hasSize(1);
        assertThat(stillListed.body()).isEqualTo(listedBefore);

        assertThat(api.send("DELETE", "/v1/users/judy", admin, null, null).statusCode()).isEqualTo(204);
        assertThat(eventStore.readEvents(TokenSetId.of("judy", "demo").toString()).asStream()
                .map(message -> (Object) message.getPayload()))
                .as("erased, though the view had no row for it").anyMatch(TokenSetErased.class::isInstance);
        HttpResponse<String> gone = api.get("/v1/users/judy/connections/demo/token", backendToken);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(api.json(gone).get("type").asText()).isEqualTo("urn:token-broker:problem:not_linked");
        assertNoTableContains(judysToken);
    }

    @Test
    void tokensOnlyForAllowedConnectorsAndWithTheRightScope() throws Exception {
        HttpResponse<String> notAllowed = api.get("/v1/users/erin/connections/google/token", backendToken);
        assertThat(notAllowed.statusCode()).isEqualTo(403);
        assertThat(api.json(notAllowed).get("type").asText()).isEqualTo("urn:token-broker:problem:connector_not_allowed");

        HttpResponse<String> wrongScope = api.get("/v1/users/erin/connections/demo/token", appToken);
        assertThat(wrongScope.statusCode()).isEqualTo(403);
        assertThat(api.json(wrongScope).get("type").asText()).isEqualTo("urn:token-broker:problem:insufficient_scope");

        HttpResponse<String> neverLinked = api.get("/v1/users/nobody-here/connections/demo/token", backendToken);
        assertThat(neverLinked.statusCode()).isEqualTo(404);
        assertThat(api.json(neverLinked).get("type").asText()).isEqualTo("urn:token-broker:problem:not_linked");
    }

    private HttpResponse<String> awaitToken(String userId) {
        // The read model follows the event store asynchronously (a pooled streaming processor).
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/" + userId + "/connections/demo/token", backendToken),
                response -> response.statusCode() == 200);
    }

    private void assertNoTableContains(String value) {
        for (String table : jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'public'", String.class)) {
            List<byte[]> rows = jdbc.query("select convert_to(t::text, 'UTF8') from " + table + " t",
                    (rs, row) -> rs.getBytes(1));
            for (byte[] row : rows) {
                assertThat(new String(row, StandardCharsets.UTF_8)).as(table).doesNotContain(value);
            }
        }
    }
}
