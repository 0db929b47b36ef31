package dev.tokenbroker.core.refresh;

import static org.awaitility.Awaitility.await;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.testsupport.BenchmarkEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load measurement, not a test: excluded from the default build. Run with
 * {@code ./mvnw -B -o -pl broker-core -am verify -Dtest=RefreshThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbroker.test.excludedGroups=none -Drefresh.benchmark.tokenSets=3000}; the numbers are printed to the test output
 * ({@code broker-core/target/surefire-reports/*RefreshThroughputBenchmark-output.txt}).
 *
 * <p>Two broker instances on one embedded PostgreSQL, an IdP simulation answering each refresh in 20 ms with
 * rotation, N token sets all due at the same instant (no jitter). Measures refreshes per second from the due
 * instant until the last refresh is persisted, and the schedule lag (due time to refresh start) per instance.
 */
@Tag("benchmark")
class RefreshThroughputBenchmark {

    @TempDir
    Path directory;

    @Test
    void refreshesPerSecondAndScheduleLag() throws Exception {
        int tokenSets = Integer.getInteger("refresh.benchmark.tokenSets", 3_000);
        int workers = Integer.getInteger("refresh.benchmark.workers", 32);
        RefreshSettings settings = new RefreshSettings(Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(7), Duration.ofDays(3),
                Duration.ofSeconds(1), Duration.ofSeconds(10), 200, Duration.ofMillis(200), Duration.ofMinutes(2),
                Duration.ofSeconds(10), workers, new ConnectorLimit(workers, 10_000), Map.of());
        try (RefreshTestSetup setup = new RefreshTestSetup("refresh_benchmark", directory);
             BrokerInstance a = setup.instance("a", settings);
             BrokerInstance b = setup.instance("b", settings)) {
            setup.idp.latency(20);
            Instant expiry = Instant.now().plus(Duration.ofMinutes(5))
                    .plusSeconds(20 + tokenSets / Integer.getInteger("refresh.benchmark.linksPerSecond", 200));
            Instant due = expiry.minus(settings.leadTime());
            ExecutorService linkers = Executors.newFixedThreadPool(4);
            List<Future<TokenSetId>> linked = new ArrayList<>();
            for (int i = 0; i < tokenSets; i++) {
                int n = i;
                linked.add(linkers.submit(() -> (n % 2 == 0 ? a : b).link("user-" + n, setup.idp.issueGrant(), expiry)));
            }
            for (Future<TokenSetId> id : linked) {
                id.get();
            }
            linkers.shutdown();
            BenchmarkEnvironment env = BenchmarkEnvironment.of(a.dataSource);
            BenchmarkEnvironment.Mark started = env.mark();
            a.scheduler.start();
            b.scheduler.start();
            // progress every 10 s; partial numbers rather than nothing when the machine is too busy to finish
            Instant giveUp = Instant.now().plus(Duration.ofMinutes(Integer.getInteger("refresh.benchmark.maxMinutes", 10)));
            Instant nextReport = Instant.now().plusSeconds(10);
            while (setup.idp.refreshCalls() < tokenSets && Instant.now().isBefore(giveUp)) {
                Thread.sleep(100);
                if (Instant.now().isAfter(nextReport)) {
                    nextReport = Instant.now().plusSeconds(10);
                    BenchmarkEnvironment.report("progress: %d of %d refreshed, %.0fs after the due instant; load %s", setup.idp.refreshCalls(),
                            tokenSets, Duration.between(due, Instant.now()).toMillis() / 1000.0, BenchmarkEnvironment.loadAverage());
                }
            }
            BenchmarkEnvironment.report("CPU (both instances + PostgreSQL) per refresh: %s", started.until(env.mark(), setup.idp.refreshCalls()));
            if (setup.idp.refreshCalls() < tokenSets) {
                BenchmarkEnvironment.report("gave up: only %d of %d refreshed after %s", setup.idp.refreshCalls(), tokenSets,
                        Duration.between(due, Instant.now()));
            }
            Instant lastCall = Instant.now();
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() ->
                    a.coordinator.attemptsInProgress() == 0 && b.coordinator.attemptsInProgress() == 0);
            Instant done = Instant.now();
            double seconds = Duration.between(due, done).toMillis() / 1000.0;
            BenchmarkEnvironment.report("tokenSets=%d workers/instance=%d idpLatency=20ms instances=2", tokenSets, workers);
            BenchmarkEnvironment.report("linked before due: %s; all refreshed and persisted %.1fs after the due instant (last IdP call %.1fs)",
                    Instant.now().isAfter(due) ? "yes" : "no", seconds, Duration.between(due, lastCall).toMillis() / 1000.0);
            BenchmarkEnvironment.report("throughput: %.0f refreshes/s; IdP max concurrent %d; reuses %d",
                    tokenSets / seconds, setup.idp.maxConcurrent(), setup.idp.reuses());
            for (BrokerInstance instance : List.of(a, b)) {
                var lag = instance.metrics.scheduleLagTimer();
                var snapshot = lag.takeSnapshot();
                BenchmarkEnvironment.report("instance %s: %d scheduled refreshes, lag mean %.0fms p50 %.0fms p99 %.0fms max %.0fms",
                        instance.name, lag.count(), lag.mean(TimeUnit.MILLISECONDS),
                        snapshot.percentileValues()[0].value(TimeUnit.MILLISECONDS),
                        snapshot.percentileValues()[1].value(TimeUnit.MILLISECONDS), lag.max(TimeUnit.MILLISECONDS));
            }
        }
    }

    /** Token sets falling due at a steady rate below capacity: the lag a healthy schedule has. */
    @Test
    void scheduleLagAtASteadyRate() throws Exception {
        int tokenSets = Integer.getInteger("refresh.benchmark.steadyTokenSets", 3_000);
        int perSecond = Integer.getInteger("refresh.benchmark.steadyPerSecond", 100);
        RefreshSettings settings = new RefreshSettings(Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(7), Duration.ofDays(3),
                Duration.ofSeconds(1), Duration.ofSeconds(10), 200, Duration.ofMillis(500), Duration.ofMinutes(2),
                Duration.ofSeconds(10), 32, new ConnectorLimit(32, 10_000), Map.of());
        try (RefreshTestSetup setup = new RefreshTestSetup("refresh_benchmark_steady", directory);
             BrokerInstance a = setup.instance("a", settings);
             BrokerInstance b = setup.instance("b", settings)) {
            setup.idp.latency(20);
            Instant firstDue = Instant.now().plusSeconds(20 + tokenSets / 200);
            ExecutorService linkers = Executors.newFixedThreadPool(4);
            List<Future<TokenSetId>> linked = new ArrayList<>();
            for (int i = 0; i < tokenSets; i++) {
                int n = i;
                Instant expiry = firstDue.plus(settings.leadTime()).plusMillis(n * 1000L / perSecond);
                linked.add(linkers.submit(() -> (n % 2 == 0 ? a : b).link("user-" + n, setup.idp.issueGrant(), expiry)));
            }
            for (Future<TokenSetId> id : linked) {
                id.get();
            }
            linkers.shutdown();
            a.scheduler.start();
            b.scheduler.start();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() -> setup.idp.refreshCalls() >= tokenSets);
            BenchmarkEnvironment.report("steady: %d token sets due at %d/s over %ds, poll interval %s, IdP 20ms, reuses %d",
                    tokenSets, perSecond, tokenSets / perSecond, settings.pollInterval(), setup.idp.reuses());
            for (BrokerInstance instance : List.of(a, b)) {
                var lag = instance.metrics.scheduleLagTimer();
                var snapshot = lag.takeSnapshot();
                BenchmarkEnvironment.report("steady instance %s: %d scheduled refreshes, lag mean %.0fms p50 %.0fms p99 %.0fms max %.0fms",
                        instance.name, lag.count(), lag.mean(TimeUnit.MILLISECONDS),
                        snapshot.percentileValues()[0].value(TimeUnit.MILLISECONDS),
                        snapshot.percentileValues()[1].value(TimeUnit.MILLISECONDS), lag.max(TimeUnit.MILLISECONDS));
            }
        }
    }
}
