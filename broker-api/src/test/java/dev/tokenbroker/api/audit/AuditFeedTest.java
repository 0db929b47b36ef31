package dev.tokenbroker.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.projections.integration.IntegrationEvent;
import dev.tokenbroker.projections.integration.IntegrationEventJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@BrokerApiTest
class AuditFeedTest {

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;
    @Autowired
    @Qualifier("eventSerializer")
    Serializer eventSerializer;
    @Autowired
    ConnectorRegistry connectors;

    @Test
    void everyStoredEventAppearsExactlyOnceInOrderWhilePagingUnderConcurrentAppends() throws Exception {
        AuditStory story = new AuditStory(port);
        String early = AuditStory.newUser("feed-early");
        story.link(early);
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 6; i++) {
                    String user = AuditStory.newUser("feed-concurrent");
                    story.link(user);
                    story.handOut(user);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                writing.set(false);
            }
        });
        List<JsonNode> seen = new ArrayList<>();
        String cursor = "";
        boolean caughtUp = false;
        while (writing.get() || !caughtUp) {
            HttpResponse<String> page = story.audit("/v1/audit/events?limit=7&cursor=" + cursor);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode body = story.api.json(page);
            body.get("events").forEach(seen::add);
            cursor = body.get("nextCursor").asText();
            caughtUp = body.get("caughtUp").asBoolean();
        }
        writer.join();
        // the writer has finished: one more pass to the head
        do {
            JsonNode body = story.api.json(story.audit("/v1/audit/events?limit=1000&cursor=" + cursor));
            body.get("events").forEach(seen::add);
            cursor = body.get("nextCursor").asText();
            caughtUp = body.get("caughtUp").asBoolean();
        } while (!caughtUp);

        List<String> stored = new JdbcTemplate(dataSource).queryForList(
                "SELECT eventidentifier FROM domainevententry ORDER BY globalindex", String.class);
        List<String> ids = seen.stream().map(e -> e.get("eventId").asText()).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).containsExactlyElementsOf(stored.subList(0, ids.size()));
        assertThat(ids.size()).isGreaterThanOrEqualTo(stored.size() - 20); // other tests may append meanwhile
        List<Long> positions = seen.stream().map(e -> e.get("globalPosition").asLong()).toList();
        assertThat(positions).isSorted();
        assertThat(seen).allSatisfy(e -> {
            assertThat(e.get("userId").asText()).isNotBlank();
            assertThat(e.get("connectorId").asText()).isNotBlank();
            assertThat(e.get("status").asText()).isNotBlank();
        });
        assertNoTokenMaterial(story, story.audit("/v1/audit/events?limit=1000").body());
    }

    @Test
    void aPageStopsBeforeANumberStillHeldByAnUnfinishedTransactionAndPassesItOnceItIsOld() throws Exception {
        AuditStory story = new AuditStory(port);
        String cursor = drain(story, "");
        // an appending transaction took the next number and has not committed (here: never will)
        long held = new JdbcTemplate(dataSource).queryForObject(
                "SELECT nextval('domainevententry_globalindex_seq')", Long.class);
        String user = AuditStory.newUser("feed-gap");
        story.link(user);

        JsonNode page = story.api.json(story.audit("/v1/audit/events?userId=" + user));
        assertThat(page.get("events")).isEmpty();
        assertThat(page.get("caughtUp").asBoolean()).isTrue();
        JsonNode unfiltered = story.api.json(story.audit("/v1/audit/events?limit=1000&cursor=" + cursor));
        assertThat(unfiltered.get("events")).allSatisfy(e -> assertThat(e.get("globalPosition").asLong()).isLessThan(held));

        // the hole is older than the gap timeout (10 s): rolled back for good, the feed moves on
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() ->
                story.api.json(story.audit("/v1/audit/events?userId=" + user)).get("events").size() == 1);
    }

    @Test
    void everyFilterSelectsWhatItNames() throws Exception {
        AuditStory story = new AuditStory(port);
        String user = AuditStory.newUser("feed-filter");
        story.link(user);
        Instant between = Instant.now();
        AuditStory.awaitClockPast(between.plusMillis(20));
        story.handOut(user);
        String u = "userId=" + user;

        assertThat(types(story, "/v1/audit/events?" + u)).containsExactly("linked", "access-token-handed-out");
        assertThat(types(story, "/v1/audit/events?" + u + "&connector=demo"))
                .containsExactly("linked", "access-token-handed-out");
        assertThat(types(story, "/v1/audit/events?" + u + "&connector=github")).isEmpty();
        assertThat(types(story, "/v1/audit/events?" + u + "&type=linked")).containsExactly("linked");
        assertThat(types(story, "/v1/audit/events?" + u + "&type=linked,access-token-handed-out"))
                .containsExactly("linked", "access-token-handed-out");
        assertThat(types(story, "/v1/audit/events?" + u + "&clientId=test-backend"))
                .containsExactly("access-token-handed-out");
        assertThat(types(story, "/v1/audit/events?" + u + "&clientId=test-app")).isEmpty();
        assertThat(types(story, "/v1/audit/events?" + u + "&from=" + between)).containsExactly("access-token-handed-out");
        assertThat(types(story, "/v1/audit/events?" + u + "&to=" + between)).containsExactly("linked");
        JsonNode byConnector = story.api.json(story.audit("/v1/audit/events?connector=demo&limit=1000"));
        assertThat(byConnector.get("events")).allSatisfy(e -> assertThat(e.get("connectorId").asText()).isEqualTo("demo"));
        JsonNode handOut = story.api.json(story.audit("/v1/audit/events?" + u + "&type=access-token-handed-out"))
                .get("events").get(0);
        assertThat(handOut.get("clientId").asText()).isEqualTo("test-backend");
        assertThat(handOut.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(handOut.get("userId").asText()).isEqualTo(user);
    }

    @Test
    void theNdjsonExportIsTheFeedLineByLineInTheSchemasBytes() throws Exception {
        AuditStory story = new AuditStory(port);
        String user = AuditStory.newUser("feed-export");
        story.link(user);
        story.handOut(user);
        HttpResponse<String> export = story.api.send(HttpRequest.newBuilder(
                        URI.create(story.api.base() + "/v1/audit/events?userId=" + user))
                .header("Authorization", "Bearer " + story.auditor).header("Accept", "application/x-ndjson").build());
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-ndjson");
        String[] lines = export.body().split("\n");
        assertThat(lines).hasSize(2);
        IntegrationEvent linked = IntegrationEventJson.read(lines[0].getBytes(StandardCharsets.UTF_8));
        assertThat(linked.type()).isEqualTo("linked");
        assertThat(new String(IntegrationEventJson.write(linked), StandardCharsets.UTF_8)).isEqualTo(lines[0]);
        JsonNode page = story.api.json(story.audit("/v1/audit/events?userId=" + user)).get("events");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[0]))
                .isEqualTo(page.get(0));
        // the export's cursor continues the feed
        String next = export.headers().firstValue("Audit-Next-Cursor").orElseThrow();
        // a new event (a relink: another hand-out of the same token version to the same client records nothing)
        story.link(user);
        long lastExported = IntegrationEventJson.read(lines[1].getBytes(StandardCharsets.UTF_8)).globalPosition();
        // the relink shows once the safe horizon passes it: at once, or after the gap timeout (10 s) when an
        // unrelated transaction left a young hole in the sequence below it meanwhile
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode continued = story.api.json(story.audit("/v1/audit/events?userId=" + user + "&cursor=" + next))
                    .get("events");
            assertThat(continued).isNotEmpty().allSatisfy(e ->
                    assertThat(e.get("globalPosition").asLong()).isGreaterThan(lastExported));
        });
    }

    @Test
    void ownerAndStatusBeforeAreTheSameFromTheChunkTheViewOrTheLink() throws Exception {
        AuditStory story = new AuditStory(port);
        String user = AuditStory.newUser("feed-owner");
        story.link(user);
        story.handOut(user);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        // the hand-out's token set must be in the view (the projection is asynchronous)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM token_set_view WHERE user_id = ?", Integer.class, user) == 1);
        EventFeed feed = new EventFeed(dataSource, eventSerializer, connectors, Clock.systemUTC(), Duration.ofSeconds(10));
        EventFeedFilter ofUser = new EventFeedFilter(user, null, List.of(), null, null, null);
        long horizon = feed.safeHorizon();

        // the link in the same chunk names the owner and carries the status
        List<IntegrationEvent> all = new ArrayList<>();
        feed.stream(0, horizon, ofUser, all::add);
        assertThat(all).extracting(IntegrationEvent::type).containsExactly("linked", "access-token-handed-out");
        IntegrationEvent handOut = all.get(1);
        assertThat(handOut.userId()).isEqualTo(user);
        assertThat(handOut.status()).isNotNull();

        // after the link: the owner from token_set_view, the status before from the previous event's type
        long afterLink = all.get(0).globalPosition();
        List<IntegrationEvent> fromView = new ArrayList<>();
        feed.stream(afterLink, horizon, ofUser, fromView::add);
        assertThat(fromView).containsExactly(handOut);
        assertThat(IntegrationEventJson.write(fromView.get(0))).isEqualTo(IntegrationEventJson.write(handOut));

        // a view without the token set (a rebuild): the owner from its link
        jdbc.update("DELETE FROM token_set_view WHERE user_id = ?", user);
        List<IntegrationEvent> fromLink = new ArrayList<>();
        feed.stream(afterLink, horizon, ofUser, fromLink::add);
        assertThat(fromLink).containsExactly(handOut);
    }

    @Test
    void aCursorIsPureDataThatAnotherInstanceContinuesFrom() throws Exception {
        AuditStory story = new AuditStory(port);
        for (int i = 0; i < 2; i++) {
            String user = AuditStory.newUser("feed-cursor");
            story.link(user);
        }
        JsonNode first = story.api.json(story.audit("/v1/audit/events?limit=3"));
        String cursor = first.get("nextCursor").asText();
        JsonNode second = story.api.json(story.audit("/v1/audit/events?limit=3&cursor=" + cursor));

        // another instance: nothing shared with this one but the database
        EventFeed otherInstance = new EventFeed(dataSource, eventSerializer, connectors, Clock.systemUTC(),
                Duration.ofSeconds(10));
        AuditCursor decoded = AuditCursor.decode(cursor).orElseThrow();
        assertThat(decoded.encode()).isEqualTo(cursor);
        EventFeed.Page page = otherInstance.page(decoded.position(), 3, EventFeedFilter.none());
        List<String> fromOther = page.events().stream().map(IntegrationEvent::eventId).toList();
        List<String> fromThis = new ArrayList<>();
        second.get("events").forEach(e -> fromThis.add(e.get("eventId").asText()));
        assertThat(fromOther).isEqualTo(fromThis);
        assertThat(new AuditCursor(page.nextPosition(), EventFeedFilter.none().tag()).encode())
                .isEqualTo(second.get("nextCursor").asText());
    }

    @Test
    void onlyAuditReadersAndOnlyWellFormedParameters() throws Exception {
        AuditStory story = new AuditStory(port);
        HttpResponse<String> forbidden = story.api.get("/v1/audit/events", story.backend);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(story.api.get("/v1/audit/events", story.app).statusCode()).isEqualTo(403);
        assertThat(story.api.get("/v1/audit/events", null).statusCode()).isEqualTo(401);
        String tagged = new AuditCursor(1, "0badc0de").encode();
        for (String query : List.of("limit=0", "limit=1001", "limit=99999999999", "limit=ten", "from=yesterday",
                "to=2025-13-01T00:00:00Z", "from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "cursor=%25%25%25",
                "cursor=bm90LWEtY3Vyc29y", "cursor=" + tagged, "type=deleted", "userId=a%20b", "connector=GitHub",
                "clientId=%3Cscript%3E", "cursor=" + "A".repeat(500))) {
            HttpResponse<String> bad = story.audit("/v1/audit/events?" + query);
            assertThat(bad.statusCode()).as(query).isEqualTo(400);
            assertThat(bad.headers().firstValue("Content-Type").orElseThrow()).as(query)
                    .startsWith("application/problem+json");
        }
    }

    private static String drain(AuditStory story, String cursor) throws Exception {
        JsonNode body;
        do {
            body = story.api.json(story.audit("/v1/audit/events?limit=1000&cursor=" + cursor));
            cursor = body.get("nextCursor").asText();
        } while (!body.get("caughtUp").asBoolean());
        return cursor;
    }

    private static List<String> types(AuditStory story, String path) throws Exception {
        HttpResponse<String> response = story.audit(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> types = new ArrayList<>();
        story.api.json(response).get("events").forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    static void assertNoTokenMaterial(AuditStory story, String body) {
        Set<String> tokens;
        synchronized (story.handedOutTokens) {
            tokens = new HashSet<>(story.handedOutTokens);
        }
        assertThat(tokens).isNotEmpty();
        tokens.forEach(token -> assertThat(body).doesNotContain(token));
        assertThat(body).doesNotContain("ciphertext", "Ciphertext", "accessToken\"", "refreshToken\"", "idToken\"");
    }
}
