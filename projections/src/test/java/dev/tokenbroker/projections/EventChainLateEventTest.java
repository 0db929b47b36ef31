package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.projections.chain.ChainLink;
import dev.tokenbroker.projections.chain.ChainVerification;
import dev.tokenbroker.projections.chain.CheckpointSigningKeys;
import dev.tokenbroker.projections.chain.CheckpointVerifier;
import dev.tokenbroker.projections.chain.EventChainConfiguration;
import dev.tokenbroker.projections.chain.EventChainRepository;
import dev.tokenbroker.projections.chain.EventChainSettings;
import dev.tokenbroker.projections.chain.EventChainVerifier;
import dev.tokenbroker.projections.chain.ExportVerifier;

/**
 * A transaction that took a global index and commits after later events were chained — later than the
 * storage engine's gap timeout, so Axon never delivers it — is still chained, at the chain's end.
 */
class EventChainLateEventTest {

    static final Instant START = Instant.parse("2026-05-03T08:00:00Z");

    @Test
    void anEventCommittedAfterAxonGaveUpOnItsPositionIsAppendedAtTheChainsEndAndVerifies() throws Exception {
        Path directory = Files.createTempDirectory("event-chain-late");
        KekRing keks = EventChainHarness.newKekRing("kek-late");
        try (ProjectionsHarness harness = ProjectionsHarness.startOn(ProjectionsHarness.freshDatabase("chain-late"), context -> {
            context.registerBean(KekRing.class, () -> keks);
            context.registerBean(EventChainSettings.class,
                    () -> new EventChainSettings(EventChainHarness.MANUAL, directory, 100, Duration.ofHours(1)));
            // 1 ms: every event is read "too late" for Axon to note a gap below it — the processor-lag and
            // slow-commit case of docs/tamper-evidence.md in its extreme form
            context.registerBean(AxonTestConfiguration.EngineTuning.class, () -> builder -> builder.gapTimeout(1));
        }, EventChainConfiguration.class)) {
            KafkaPublisherTest.liveALife(harness.story("late-1", "github", START), "late-1", new ArrayList<>());
            EventChainHarness.awaitChained(harness);
            EventChainHarness.sign(harness);

            DataSource dataSource = harness.bean(DataSource.class);
            try (Connection slow = dataSource.getConnection()) {
                slow.setAutoCommit(false);
                long late = takePositionWithoutCommitting(slow);

                // later events are stored and chained past the open transaction's position
                KafkaPublisherTest.liveALife(harness.story("late-2", "google", START), "late-2", new ArrayList<>());
                EventChainHarness.awaitChained(harness);
                assertThat(harness.jdbc().queryForObject("SELECT max(global_index) FROM event_chain", Long.class))
                        .isGreaterThan(late);
                EventChainRepository chain = harness.bean(EventChainRepository.class);
                assertThat(chain.pendingPositions()).as("the chain waits for the open position itself").contains(late);

                slow.commit();
            }
            // the next batch (any new event) appends it
            KafkaPublisherTest.liveALife(harness.story("late-3", "github", START), "late-3", new ArrayList<>());
            EventChainHarness.awaitChained(harness);

            long lateChainIndex = harness.jdbc().queryForObject(
                    "SELECT chain_index FROM event_chain WHERE event_identifier = 'late-event-1'", Long.class);
            long latePosition = harness.jdbc().queryForObject(
                    "SELECT global_index FROM event_chain WHERE event_identifier = 'late-event-1'", Long.class);
            assertThat(harness.jdbc().queryForObject(
                    "SELECT count(*) FROM event_chain WHERE chain_index < ? AND global_index > ?", Long.class,
                    lateChainIndex, latePosition)).as("appended after events with higher positions").isPositive();
            assertThat(harness.bean(EventChainRepository.class).pendingPositions()).doesNotContain(latePosition);

            EventChainHarness.sign(harness);
            ChainVerification server = harness.bean(EventChainVerifier.class).verify(null, null);
            assertThat(server.status()).as(server.toString()).isEqualTo("ok");
            assertThat(server.eventsVerified()).isEqualTo(
                    harness.jdbc().queryForObject("SELECT count(*) FROM domainevententry", Long.class));

            List<ChainLink> export = EventChainHarness.export(harness);
            List<String> checkpoints = harness.jdbc().queryForList(
                    "SELECT jws FROM event_chain_checkpoint ORDER BY chain_index", String.class);
            ChainVerification offline = new ExportVerifier(CheckpointVerifier.fromJwks(
                    harness.bean(CheckpointSigningKeys.class).jwks())).verify(export.iterator(), checkpoints);
            assertThat(offline.status()).as(offline.toString()).isEqualTo("ok");
        }
    }

    /** Inserts a copy of the first event under a new id and aggregate, in a transaction left open. */
    private static long takePositionWithoutCommitting(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("INSERT INTO domainevententry (eventidentifier, aggregateidentifier,"
                     + " sequencenumber, type, payloadtype, payloadrevision, timestamp, payload, metadata)"
                     + " SELECT 'late-event-1', 'late-aggregate', 0, type, payloadtype, payloadrevision, timestamp,"
                     + " payload, metadata FROM domainevententry ORDER BY globalindex LIMIT 1 RETURNING globalindex")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
