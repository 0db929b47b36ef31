package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.projections.chain.ChainLink;
import dev.tokenbroker.projections.chain.ChainLinkJson;
import dev.tokenbroker.projections.chain.ChainVerification;
import dev.tokenbroker.projections.chain.CheckpointJson;
import dev.tokenbroker.projections.chain.CheckpointPolicy;
import dev.tokenbroker.projections.chain.CheckpointSigningKeys;
import dev.tokenbroker.projections.chain.CheckpointVerifier;
import dev.tokenbroker.projections.chain.EventChainSettings;
import dev.tokenbroker.projections.chain.EventChainVerifier;
import dev.tokenbroker.projections.chain.ExportVerifier;
import dev.tokenbroker.projections.chain.FileCheckpointSink;
import dev.tokenbroker.projections.chain.VerifyExportCommand;

/**
 * Chained vs appended events/s in one run (writers append for a fixed time), then a bulk backlog for the
 * chain's top speed and verification speed (server and offline). Not a test:
 * run with {@code ./mvnw -B -o -pl projections -am test -Dtest=EventChainBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbroker.test.excludedGroups=none -Dgroups=benchmark -Dbroker.test.argLine=-Xshare:auto}; numbers in
 * {@code benchmarks/tamper-evidence/RESULTS.md}.
 */
@Tag("benchmark")
class EventChainBenchmark {

    static final int WRITERS = 4;
    /** How long the writers append (system property {@code bench.chain.append-seconds}). */
    static final int APPEND_SECONDS = Integer.getInteger("bench.chain.append-seconds", 60);
    /** Synthetic events stored in bulk for the verification phase ({@code bench.chain.bulk-events}). */
    static final int BULK_EVENTS = Integer.getInteger("bench.chain.bulk-events", 200_000);

    @Test
    void chainingKeepsUpWithAppendingAndVerificationIsFast() throws Exception {
        Path directory = Files.createTempDirectory("chain-bench");
        KekRing keks = EventChainHarness.newKekRing("kek-1");
        // the application's defaults: checkpoints every 1000 events or 30 s, batches of 500
        try (ProjectionsHarness harness = EventChainHarness.start(ProjectionsHarness.freshDatabase("chain-bench"), keks,
                directory, new CheckpointPolicy(1000, Duration.ofSeconds(30), Duration.ofSeconds(1)),
                EventChainSettings.DEFAULT.batchSize())) {
            // phase 1: writers append token-set lives (11 events each) through the aggregate for a fixed time
            ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
            AtomicBoolean stop = new AtomicBoolean();
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String user = "bench-" + writer + "-" + i;
                        KafkaPublisherTest.liveALife(harness.story(user, "github", Instant.parse("2026-01-01T00:00:00Z")),
                                user, new ArrayList<>());
                    }
                }));
            }
            // the measurement window itself (not synchronisation), sampled every 10 s: a lag that stays flat keeps up,
            // one that grows does not
            long windowEnd = t0 + Duration.ofSeconds(APPEND_SECONDS).toNanos();
            org.awaitility.Awaitility.await("the append window").atMost(Duration.ofSeconds(APPEND_SECONDS + 30))
                    .pollDelay(Duration.ofSeconds(10)).pollInterval(Duration.ofSeconds(10)).until(() -> {
                        long a = count(harness, "domainevententry");
                        long c = count(harness, "event_chain");
                        System.out.printf("BENCH at %3d s: appended %d, chained %d, lag %d events%n",
                                (System.nanoTime() - t0) / 1_000_000_000L, a, c, a - c);
                        return System.nanoTime() >= windowEnd - 500_000_000L;
                    });
            stop.set(true);
            for (Future<?> f : done) {
                f.get();
            }
            long appendNanos = System.nanoTime() - t0;
            long appended = count(harness, "domainevententry");
            long chainedDuringAppend = count(harness, "event_chain");
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> count(harness, "event_chain") == appended);
            long allChainedNanos = System.nanoTime() - t0;
            writers.shutdown();
            double appendRate = appended * 1e9 / appendNanos;
            double chainRate = chainedDuringAppend * 1e9 / appendNanos;
            System.out.printf("BENCH appended %d events in %.1f s: %.0f events/s; chained in the same window %d: %.0f events/s"
                            + " (ratio chained/appended %.3f, lag at the window's end %d events); all chained %.2f s after"
                            + " the window%n", appended, appendNanos / 1e9, appendRate, chainedDuringAppend, chainRate,
                    chainRate / appendRate, appended - chainedDuringAppend, (allChainedNanos - appendNanos) / 1e9);

            // phase 2: a backlog of synthetic events stored in bulk (a payload type no read model handles), chained
            // from behind: the chain's own top speed, and a store large enough to time verification
            long b0 = System.nanoTime();
            harness.jdbc().update("INSERT INTO domainevententry (eventidentifier, aggregateidentifier, sequencenumber, type,"
                    + " payloadtype, payloadrevision, timestamp, payload, metadata)"
                    + " SELECT 'bulk-' || g, 'bulk-' || (g / 16), g % 16, e.type, 'dev.tokenbroker.bench.SyntheticEvent',"
                    + " e.payloadrevision, e.timestamp, e.payload || int8send(g), e.metadata"
                    + " FROM generate_series(1, ?) g, (SELECT * FROM domainevententry ORDER BY globalindex LIMIT 1) e", BULK_EVENTS);
            long stored = count(harness, "domainevententry");
            long c0 = System.nanoTime();
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> count(harness, "event_chain") == stored);
            long cNanos = System.nanoTime() - c0;
            System.out.printf("BENCH bulk-stored %d events in %.1f s; chained the backlog in %.1f s: %.0f events/s%n",
                    BULK_EVENTS, (c0 - b0) / 1e9, cNanos / 1e9, BULK_EVENTS * 1e9 / cNanos);
            EventChainHarness.sign(harness);
            // the read models skip the synthetic events too: let them finish, so verification has the machine
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> harness.bean(ReadModelRebuild.class).isCaughtUp());
            System.out.printf("BENCH read models caught up %.1f s after the chain%n", (System.nanoTime() - c0 - cNanos) / 1e9);

            for (int run = 0; run < 3; run++) {
                long v0 = System.nanoTime();
                ChainVerification server = harness.bean(EventChainVerifier.class).verify(null, null);
                long vNanos = System.nanoTime() - v0;
                assertThat(server.status()).as(server.toString()).isEqualTo("ok");
                System.out.printf("BENCH server verify (run %d): %d events, %d checkpoints in %.2f s: %.0f events/s"
                                + " (walk alone %d events/s)%n", run, server.eventsVerified(), server.checkpointsVerified(),
                        vNanos / 1e9, server.eventsVerified() * 1e9 / vNanos, server.eventsPerSecond());
            }

            Path export = directory.resolve("chain.ndjson");
            long e0 = System.nanoTime();
            try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(export), 64 * 1024)) {
                harness.bean(EventChainVerifier.class).export(null, null, link -> {
                    try {
                        ChainLinkJson.writeLine(link, out);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            System.out.printf("BENCH export of %d events: %.2f s, %d MB%n", stored, (System.nanoTime() - e0) / 1e9,
                    Files.size(export) >> 20);
            Path keys = directory.resolve("keys.json");
            Files.writeString(keys, harness.bean(CheckpointSigningKeys.class).jwks());
            Path checkpoints = directory.resolve(FileCheckpointSink.FILE_NAME);
            for (int run = 0; run < 3; run++) {
                java.io.ByteArrayOutputStream verdict = new java.io.ByteArrayOutputStream();
                long o0 = System.nanoTime();
                int exit = VerifyExportCommand.run(new String[]{"verify-export", "--export", export.toString(),
                        "--checkpoints", checkpoints.toString(), "--jwks", keys.toString()},
                        new java.io.PrintStream(verdict), System.err);
                long oNanos = System.nanoTime() - o0;
                assertThat(exit).as(verdict.toString()).isZero();
                System.out.printf("BENCH offline verify-export (run %d, files: parse + recompute + checkpoints): %d events"
                        + " in %.2f s: %.0f events/s%n", run, stored, oNanos / 1e9, stored * 1e9 / oNanos);
            }
            List<String> jws = Files.readAllLines(checkpoints).stream().map(CheckpointJson::jwsOf).toList();
            List<ChainLink> parsed = Files.readAllLines(export).stream().map(ChainLinkJson::read).toList();
            for (int run = 0; run < 3; run++) {
                long r0 = System.nanoTime();
                ChainVerification offline = new ExportVerifier(CheckpointVerifier.fromJwks(Files.readString(keys)))
                        .verify(parsed.iterator(), jws);
                long rNanos = System.nanoTime() - r0;
                assertThat(offline.status()).isEqualTo("ok");
                System.out.printf("BENCH offline recompute only (run %d, parsed in memory): %.0f events/s%n", run,
                        offline.eventsVerified() * 1e9 / rNanos);
            }
        }
    }

    static long count(ProjectionsHarness harness, String table) {
        return harness.jdbc().queryForObject("SELECT count(*) FROM " + table, Long.class);
    }
}
