package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.tokenbroker.core.api.UpstreamRevocationOutcome;

/**
 * The bulk rebuild ({@link ReadModelBulkRebuild}) writes exactly the rows the streaming projections write event by
 * event, over random histories with every kind of event; and the processors take over at the position it scanned:
 * events after it, and an event whose transaction was still open while it scanned (a gap), are applied once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadModelBulkRebuildTest {

    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
    private static final String VIEW_ORDER = "token_set_id";
    private static final String HISTORY_ORDER = "token_set_id, sequence_number";

    private ProjectionsHarness harness;
    private final List<TokenSetStory> stories = new ArrayList<>();

    @BeforeAll
    void publishRandomHistories() {
        harness = ProjectionsHarness.start("bulk_rebuild");
        Random random = new Random(20261130L);
        for (int i = 0; i < 60; i++) {
            TokenSetStory story = harness.story("user-" + i, i % 3 == 0 ? "github" : "google", T0)
                    .link("a-" + i, random.nextBoolean() ? "r-" + i : null, T0.plusSeconds(3600), Set.of("openid", "email"));
            int steps = random.nextInt(14);
            boolean erased = false;
            for (int step = 0; step < steps && !erased; step++) {
                String value = "v-" + i + "-" + step;
                switch (random.nextInt(9)) {
                    case 0, 1 -> story.refresh(value, null, T0.plusSeconds(3600L * (step + 2)));
                    case 2 -> story.refresh(value, "rot-" + value, T0.plusSeconds(3600L * (step + 2)));
                    case 3, 4 -> story.handOut("client-" + random.nextInt(3));
                    case 5 -> story.failTransiently("temporarily_unavailable", T0.plusSeconds(60L * step));
                    case 6 -> story.failPermanently("invalid_grant");
                    case 7 -> story.link(value, random.nextBoolean() ? "r-" + value : null, T0.plusSeconds(7200),
                            random.nextBoolean() ? Set.of("repo") : Set.of("repo", "gist", "user"));
                    default -> {
                        story.revoke(random.nextBoolean() ? UpstreamRevocationOutcome.REVOKED : UpstreamRevocationOutcome.FAILED);
                        if (random.nextBoolean()) {
                            story.erase(); // the data keys are gone: nothing can be sealed for this token set any more
                            erased = true;
                        }
                    }
                }
            }
            stories.add(story);
        }
        stories.forEach(harness::awaitApplied);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    @Order(1)
    void bulkRebuildWritesTheRowsTheProjectionsWrite() {
        List<String> view = harness.dump("token_set_view", VIEW_ORDER);
        List<String> history = harness.dump("token_set_history", HISTORY_ORDER);
        assertThat(view).hasSize(stories.size());
        harness.jdbc().update("UPDATE token_set_view SET upstream_display_name = 'tampered'");
        harness.jdbc().update("DELETE FROM token_set_history WHERE sequence_number = 1");

        ReadModelRebuild rebuild = harness.bean(ReadModelRebuild.class);
        rebuild.rebuildAll();
        await().atMost(Duration.ofSeconds(30)).until(rebuild::isCaughtUp);

        assertThat(harness.dump("token_set_view", VIEW_ORDER)).isEqualTo(view);
        assertThat(harness.dump("token_set_history", HISTORY_ORDER)).isEqualTo(history);
        ReadModelRebuild.Progress progress = rebuild.progress();
        assertThat(progress.running()).isFalse();
        assertThat(progress.processed()).isEqualTo(progress.total());
    }

    @Test
    @Order(2)
    void theEventByEventReplayGivesTheSameRows() {
        List<String> view = harness.dump("token_set_view", VIEW_ORDER);
        List<String> history = harness.dump("token_set_history", HISTORY_ORDER);

        ReadModelRebuild replay = new ReadModelRebuild(harness.bean(Configuration.class));
        replay.rebuildAll();
        await().atMost(Duration.ofSeconds(30)).until(replay::isCaughtUp);

        assertThat(harness.dump("token_set_view", VIEW_ORDER)).isEqualTo(view);
        assertThat(harness.dump("token_set_history", HISTORY_ORDER)).isEqualTo(history);
    }

    @Test
    @Order(3)
    void processorsTakeOverAtTheScannedPositionIncludingTransactionsOpenDuringTheScan() throws Exception {
        String withHandOut = harness.jdbc().queryForObject("SELECT aggregateidentifier FROM domainevententry"
                + " WHERE payloadtype LIKE '%AccessTokenHandedOut' ORDER BY globalindex LIMIT 1", String.class);
        TokenSetStory late = stories.stream().filter(s -> s.tokenSetId().toString().equals(withHandOut)).findFirst().orElseThrow();
        DataSource dataSource = harness.bean(DataSource.class);
        try (Connection open = dataSource.getConnection()) {
            // an event whose transaction is still open while the rebuild scans: its global index is taken ...
            open.setAutoCommit(false);
            long sequenceNumber = late.lastSequenceNumber() + 1;
            try (PreparedStatement insert = open.prepareStatement("INSERT INTO domainevententry (aggregateidentifier,"
                    + " sequencenumber, type, eventidentifier, timestamp, payloadtype, payloadrevision, payload, metadata)"
                    + " SELECT aggregateidentifier, ?, type, ?, timestamp, payloadtype, payloadrevision, payload, metadata"
                    + " FROM domainevententry WHERE aggregateidentifier = ? AND payloadtype LIKE '%AccessTokenHandedOut'"
                    + " ORDER BY sequencenumber DESC LIMIT 1")) {
                insert.setLong(1, sequenceNumber);
                insert.setString(2, UUID.randomUUID().toString());
                insert.setString(3, late.tokenSetId().toString());
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            // ... and a later one commits first: the open one is a gap below the head the rebuild sees. Stamped now:
            // the event store forgets gaps behind events older than its gap timeout, and the stories' clocks are old.
            TokenSetStory other = harness.story("user-after", "google", Instant.now())
                    .link("a-after", "r-after", Instant.now().plusSeconds(3600), Set.of("openid"));

            ReadModelRebuild rebuild = harness.bean(ReadModelRebuild.class);
            rebuild.rebuildAll();
            await().atMost(Duration.ofSeconds(30)).until(rebuild::isCaughtUp);
            assertThat(historyRows(late)).isEqualTo(late.lastSequenceNumber() + 1);

            open.commit();
            await().atMost(Duration.ofSeconds(20)).until(() -> historyRows(late) == sequenceNumber + 1);
            assertThat(harness.jdbc().queryForObject("SELECT version FROM token_set_view WHERE token_set_id = ?",
                    Long.class, late.tokenSetId().value())).isEqualTo(sequenceNumber);
            other.handOut("client-after-rebuild");
            harness.awaitApplied(other);
        }
        assertThat(harness.jdbc().queryForObject("SELECT count(*) FROM token_set_history", Long.class))
                .isEqualTo(harness.jdbc().queryForObject("SELECT count(*) FROM domainevententry", Long.class));
    }

    @Test
    void readsEventTimestampsAsAxonDoes() {
        for (String stored : List.of("2026-03-01T08:00:00Z", "2026-03-01T08:00:00.120Z", "2026-12-31T23:59:59.999Z",
                "1999-02-28T00:00:00.123456789Z", "2026-03-01T08:00:00.5Z", "2026-03-01T09:00:00.000+01:00",
                DateTimeUtils.formatInstant(Instant.now()))) {
            assertThat(ReadModelBulkRebuild.parseTimestamp(stored)).as(stored).isEqualTo(DateTimeUtils.parseInstant(stored));
        }
    }

    private long historyRows(TokenSetStory story) {
        return harness.jdbc().queryForObject("SELECT count(*) FROM token_set_history WHERE token_set_id = ?",
                Long.class, story.tokenSetId().value());
    }
}
