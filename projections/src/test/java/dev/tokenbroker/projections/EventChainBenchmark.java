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
import java.util.concurrent.atomic.AtomicLong;

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
import dev.tokenbroker.projections.chain.EventChainVerifier;
import dev.tokenbroker.projections.chain.ExportVerifier;
import dev.tokenbroker.projections.chain.FileCheckpointSink;

/**
 * Chained vs appended events/s in one run, and verification speed (server and offline). Not a test:
 * run with {@code ./mvnw -B -o -pl projections -am test -Dtest=EventChainBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbroker.test.excludedGroups=none -Dgroups=benchmark -Dbroker.test.argLine=-Xshare:auto}; numbers in
 * {@code benchmarks/tamper-evidence/RESULTS.md}.
 */
@Tag("benchmark")
class EventChainBenchmark {

    static final int WRITERS = 4;
    static final int LIVES_PER_WRITER = 250; // 11 events each

    @Test
    void chainingKeepsUpWithAppendingAndVerificationIsFast() throws Exception {
        Path directory = Files.createTempDirectory("chain-bench");
        KekRing keks = EventChainHarness.newKekRing("kek-1");
        try (ProjectionsHarness harness = EventChainHarness.start(ProjectionsHarness.freshDatabase("chain-bench"), keks,
                directory, new CheckpointPolicy(1000, Duration.ofSeconds(30), Duration.ofSeconds(1)))) {
            ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
            AtomicLong lives = new AtomicLong();
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    for (int i = 0; i < LIVES_PER_WRITER; i++) {
                        String user = "bench-" + writer + "-" + i;
                        KafkaPublisherTest.liveALife(harness.story(user, "github", Instant.parse("2026-01-01T00:00:00Z")),
                                user, new ArrayList<>());
                        lives.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            long appendNanos = System.nanoTime() - t0;
            long appended = count(harness, "domainevententry");
            long chainedDuringAppend = count(harness, "event_chain");
            System.out.printf("BENCH appended %d events in %.1f s (%.0f events/s); chained meanwhile %d (%.0f events/s)%n",
                    appended, appendNanos / 1e9, appended * 1e9 / appendNanos, chainedDuringAppend, chainedDuringAppend * 1e9 / appendNanos);
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> count(harness, "event_chain") == appended);
            long allChainedNanos = System.nanoTime() - t0;
            writers.shutdown();
            EventChainHarness.sign(harness);

            double appendRate = appended * 1e9 / appendNanos;
            double chainRate = appended * 1e9 / allChainedNanos;
            System.out.printf("BENCH appended %d events in %.1f s: %.0f events/s; chained during the append window %d"
                            + " (lag at its end %d); all chained after %.1f s: %.0f events/s; ratio chained/appended %.2f%n",
                    appended, appendNanos / 1e9, appendRate, chainedDuringAppend, appended - chainedDuringAppend,
                    allChainedNanos / 1e9, chainRate, chainRate / appendRate);

            for (int run = 0; run < 3; run++) {
                long v0 = System.nanoTime();
                ChainVerification server = harness.bean(EventChainVerifier.class).verify(null, null);
                long vNanos = System.nanoTime() - v0;
                assertThat(server.status()).isEqualTo("ok");
                System.out.printf("BENCH server verify (run %d): %d events in %.2f s: %.0f events/s (walk alone %d events/s)%n",
                        run, server.eventsVerified(), vNanos / 1e9, server.eventsVerified() * 1e9 / vNanos, server.eventsPerSecond());
            }

            List<String> lines = new ArrayList<>();
            harness.bean(EventChainVerifier.class).export(null, null, link -> lines.add(ChainLinkJson.toLine(link)));
            List<String> checkpoints = Files.readAllLines(directory.resolve(FileCheckpointSink.FILE_NAME)).stream()
                    .map(CheckpointJson::jwsOf).toList();
            String jwks = harness.bean(CheckpointSigningKeys.class).jwks();
            // offline: many passes over the export to measure steady state (parse + recompute + checkpoints)
            List<String> big = new ArrayList<>();
            for (int i = 0; i < 1; i++) {
                big.addAll(lines);
            }
            for (int run = 0; run < 5; run++) {
                long o0 = System.nanoTime();
                ChainVerification offline = new ExportVerifier(CheckpointVerifier.fromJwks(jwks))
                        .verify(big.stream().map(ChainLinkJson::read).iterator(), checkpoints);
                long oNanos = System.nanoTime() - o0;
                assertThat(offline.status()).isEqualTo("ok");
                System.out.printf("BENCH offline verify (run %d): %d events in %.3f s: %.0f events/s (%d checkpoints)%n",
                        run, offline.eventsVerified(), oNanos / 1e9, offline.eventsVerified() * 1e9 / oNanos,
                        offline.checkpointsVerified());
            }
            List<ChainLink> parsed = lines.stream().map(ChainLinkJson::read).toList();
            for (int run = 0; run < 3; run++) {
                long r0 = System.nanoTime();
                ChainVerification offline = new ExportVerifier(CheckpointVerifier.fromJwks(jwks)).verify(parsed.iterator(), checkpoints);
                long rNanos = System.nanoTime() - r0;
                System.out.printf("BENCH offline recompute only (run %d): %.0f events/s%n", run, offline.eventsVerified() * 1e9 / rNanos);
            }
        }
    }

    static long count(ProjectionsHarness harness, String table) {
        return harness.jdbc().queryForObject("SELECT count(*) FROM " + table, Long.class);
    }
}
