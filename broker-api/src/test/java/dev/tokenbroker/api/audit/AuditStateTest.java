package dev.tokenbroker.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetSummary;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

@BrokerApiTest
class AuditStateTest {

    @LocalServerPort
    int port;
    @Autowired
    TokenSetQueries queries;

    @Test
    void theStateAtAnInstantIsTheReadModelAsCapturedThenAlsoAfterErasure() throws Exception {
        AuditStory story = new AuditStory(port);
        String user = AuditStory.newUser("state");
        Map<Instant, TokenSetSummary> captured = new LinkedHashMap<>();

        story.link(user);
        captured.putAll(capture(story, user));
        story.handOut(user);
        captured.putAll(capture(story, user));
        new dev.tokenbroker.api.DemoLinking(story.api).link(story.app, user, user + "-other-account");
        captured.putAll(capture(story, user));
        story.handOut(user);
        captured.putAll(capture(story, user));
        assertThat(story.api.send("DELETE", "/v1/users/" + user, story.auditor, null, null).statusCode()).isEqualTo(204);
        captured.putAll(capture(story, user));

        for (Map.Entry<Instant, TokenSetSummary> entry : captured.entrySet()) {
            HttpResponse<String> response = story.audit("/v1/audit/users/" + user + "/connections/demo?at=" + entry.getKey());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertSameState(story.api.json(response), entry.getValue());
            AuditFeedTest.assertNoTokenMaterial(story, response.body());
        }
        Instant beforeLink = captured.keySet().iterator().next().minusSeconds(60);
        assertThat(story.audit("/v1/audit/users/" + user + "/connections/demo?at=" + beforeLink).statusCode())
                .isEqualTo(404);
        List<Instant> instants = new ArrayList<>(captured.keySet());
        assertThat(captured.get(instants.get(instants.size() - 1)).status().name()).isEqualTo("ERASED");
        assertThat(captured.get(instants.get(1)).status().name()).isEqualTo("ACTIVE");

        // every token set at once: the same states
        Instant second = instants.get(1);
        JsonNode all = story.api.json(story.audit("/v1/audit/connections?at=" + second));
        JsonNode mine = null;
        for (JsonNode state : all) {
            if (user.equals(state.get("userId").asText())) {
                mine = state;
            }
        }
        assertThat(mine).isNotNull();
        assertThat(mine).isEqualTo(story.api.json(story.audit("/v1/audit/users/" + user + "/connections/demo?at=" + second)));
        HttpResponse<String> ndjson = story.api.send(HttpRequest.newBuilder(
                        URI.create(story.api.base() + "/v1/audit/connections?at=" + second))
                .header("Authorization", "Bearer " + story.auditor).header("Accept", "application/x-ndjson").build());
        assertThat(ndjson.body().split("\n")).hasSize(all.size());
        JsonNode active = story.api.json(story.audit("/v1/audit/connections?status=ERASED&at=" + Instant.now()));
        assertThat(active).allSatisfy(s -> assertThat(s.get("status").asText()).isEqualTo("ERASED"));
        AuditFeedTest.assertNoTokenMaterial(story, all.toString());

        // the subject-access export: the erased connection with its whole history
        HttpResponse<String> export = story.audit("/v1/audit/users/" + user + "/export");
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");
        JsonNode document = story.api.json(export);
        assertThat(document.get("connections")).hasSize(1);
        List<String> types = new ArrayList<>();
        document.get("connections").get(0).get("events").forEach(e -> types.add(e.get("type").asText()));
        assertThat(types).startsWith("linked").contains("access-token-handed-out").endsWith("revoked", "erased");
        assertThat(document.get("connections").get(0).get("state").get("status").asText()).isEqualTo("ERASED");
        AuditFeedTest.assertNoTokenMaterial(story, export.body());
    }

    @Test
    void theHandOutReportIsTheHandOutEventsOfAStoryWithSeveralClients() throws Exception {
        AuditStory story = new AuditStory(port);
        String user = AuditStory.newUser("hand-outs");
        Map<String, String> clientTokens = new HashMap<>();
        clientTokens.put("test-backend", story.backend);
        for (String suffix : List.of("a", "b")) {
            String clientId = "audit-" + user.replaceAll("[^a-z0-9-]", "") + "-" + suffix;
            JsonNode created = story.api.json(story.api.send("POST", "/v1/admin/clients", story.auditor,
                    "application/json", "{\"clientId\":\"" + clientId + "\",\"scopes\":[\"tokens:read\"],"
                            + "\"allowedConnectors\":[\"demo\"],\"allowedReturnUrls\":[]}"));
            clientTokens.put(clientId, story.api.accessToken(clientId, created.get("secret").get("secret").asText()));
        }
        story.link(user);
        for (String token : clientTokens.values()) {
            story.handOut(user, token);
            story.handOut(user, token); // same token version: one hand-out recorded
        }
        List<String> expected = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            expected.clear();
            story.api.json(story.audit("/v1/audit/events?type=access-token-handed-out&userId=" + user)).get("events")
                    .forEach(e -> expected.add(e.get("clientId").asText() + "/" + e.get("tokenVersion").asLong() + "/"
                            + e.get("eventId").asText()));
            JsonNode report = story.api.json(story.audit("/v1/audit/hand-outs?userId=" + user));
            List<String> listed = new ArrayList<>();
            report.get("handOuts").forEach(h -> listed.add(h.get("clientId").asText() + "/"
                    + h.get("tokenVersion").asLong() + "/" + h.get("eventId").asText()));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(new TreeSet<>(expected.stream().map(e -> e.split("/")[0]).toList()))
                    .isEqualTo(new TreeSet<>(clientTokens.keySet()));
            long total = 0;
            for (JsonNode client : report.get("totals")) {
                total += client.get("handOuts").asLong();
                assertThat(client.get("users").asLong()).isEqualTo(1);
            }
            assertThat(total).isEqualTo(expected.size());
            assertThat(report.get("truncated").asBoolean()).isFalse();
        });
        String someClient = clientTokens.keySet().stream().filter(c -> !c.equals("test-backend")).findFirst().orElseThrow();
        JsonNode one = story.api.json(story.audit("/v1/audit/hand-outs?userId=" + user + "&clientId=" + someClient));
        assertThat(one.get("handOuts")).isNotEmpty()
                .allSatisfy(h -> assertThat(h.get("clientId").asText()).isEqualTo(someClient));
        assertThat(one.get("handOuts").get(0).get("userId").asText()).isEqualTo(user);
        assertThat(one.get("handOuts").get(0).get("connectorId").asText()).isEqualTo("demo");
        assertThat(story.api.json(story.audit("/v1/audit/hand-outs?userId=" + user + "&to=2000-01-01T00:00:00Z"))
                .get("handOuts")).isEmpty();
        AuditFeedTest.assertNoTokenMaterial(story, one.toString());
    }

    @Test
    void onlyAuditReadersAndWellFormedParametersOnEveryAuditEndpoint() throws Exception {
        AuditStory story = new AuditStory(port);
        for (String path : List.of("/v1/audit/users/u1/connections/demo?at=2025-01-01T00:00:00Z",
                "/v1/audit/connections?at=2025-01-01T00:00:00Z", "/v1/audit/hand-outs", "/v1/audit/users/u1/export")) {
            for (String token : List.of(story.backend, story.app)) {
                HttpResponse<String> forbidden = story.api.get(path, token);
                assertThat(forbidden.statusCode()).as(path).isEqualTo(403);
                assertThat(forbidden.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
            }
        }
        for (String path : List.of("/v1/audit/users/u1/connections/demo?at=noon", "/v1/audit/connections",
                "/v1/audit/connections?at=2025-01-01", "/v1/audit/connections?at=2025-01-01T00:00:00Z&status=GONE",
                "/v1/audit/hand-outs?from=soon", "/v1/audit/hand-outs?clientId=%20x", "/v1/audit/users/a%20b/export",
                "/v1/audit/users/u1/connections/NOPE?at=2025-01-01T00:00:00Z")) {
            HttpResponse<String> bad = story.audit(path);
            assertThat(bad.statusCode()).as(path).isEqualTo(400);
            assertThat(bad.headers().firstValue("Content-Type").orElseThrow()).as(path).startsWith("application/problem+json");
        }
    }

    /**
     * Waits for the read models to settle, then captures the view at an instant. The scheduler may refresh the
     * token set at any moment (the demo token's lifetime is within the refresh lead time): a capture whose
     * view changed around the instant is taken again.
     */
    private Map<Instant, TokenSetSummary> capture(AuditStory story, String user) throws Exception {
        for (int attempt = 0; ; attempt++) {
            TokenSetSummary summary = settled(story, user);
            AuditStory.awaitClockPast(Instant.now().plusMillis(5));
            Instant at = Instant.now();
            AuditStory.awaitClockPast(at.plusMillis(5));
            TokenSetSummary after = queries.tokenSetsOfUser(user, List.of()).get(0);
            if (after.equals(summary)) {
                return Map.of(at, summary);
            }
            assertThat(attempt).as("the view kept changing around the captured instant").isLessThan(5);
        }
    }

    private TokenSetSummary settled(AuditStory story, String user) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<TokenSetSummary> sets = queries.tokenSetsOfUser(user, List.of());
            if (sets.isEmpty()) {
                return null;
            }
            JsonNode now = story.api.json(story.audit("/v1/audit/users/" + user + "/connections/demo?at=" + Instant.now()));
            return now.has("asOfSequenceNumber") && now.get("asOfSequenceNumber").asLong() == sets.get(0).version()
                    ? sets.get(0) : null;
        }, s -> s != null);
    }

    private static void assertSameState(JsonNode state, TokenSetSummary view) {
        assertThat(state.get("status").asText()).isEqualTo(view.status().name());
        assertThat(state.get("asOfSequenceNumber").asLong()).isEqualTo(view.version());
        List<String> scopes = new ArrayList<>();
        state.get("scopes").forEach(s -> scopes.add(s.asText()));
        assertThat(new TreeSet<>(scopes)).isEqualTo(new TreeSet<>(view.grantedScopes()));
        assertThat(state.get("upstreamSubject").asText()).isEqualTo(view.upstreamSubject());
        assertThat(state.get("tokenVersion").asLong()).isEqualTo(view.tokenVersion());
        assertThat(instant(state, "accessTokenExpiresAt")).isEqualTo(view.accessTokenExpiresAt());
        assertThat(instant(state, "refreshTokenExpiresAt")).isEqualTo(view.refreshTokenExpiresAt());
        assertThat(instant(state, "linkedAt")).isEqualTo(view.linkedAt());
        assertThat(instant(state, "lastRefreshedAt")).isEqualTo(view.lastRefreshedAt());
        assertThat(instant(state, "lastHandedOutAt")).isEqualTo(view.lastHandedOutAt());
        assertThat(instant(state, "revokedAt")).isEqualTo(view.revokedAt());
        assertThat(instant(state, "erasedAt")).isEqualTo(view.erasedAt());
    }

    private static Instant instant(JsonNode node, String field) {
        return node.hasNonNull(field) ? Instant.parse(node.get(field).asText()) : null;
    }
}
