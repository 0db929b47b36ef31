package dev.tokenbroker.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two broker instances (separate Axon configurations, pools, coordinators, schedulers) on one database. */
class MultiInstanceRefreshTest {

    @TempDir
    Path directory;

    @Test
    void twoInstancesWithSchedulersAndBurstsOfOnDemandRequestsNeverReuseARefreshToken() throws Exception {
        // Access tokens live 6s and are refreshed 5s before expiry (jitter 2s): every token set cycles about every second.
        RefreshSettings settings = new RefreshSettings(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofDays(7),
                Duration.ofDays(3), Duration.ofMillis(200), Duration.ofSeconds(1), 20, Duration.ofMillis(100),
                Duration.ofSeconds(10), Duration.ofSeconds(10), 8, ConnectorLimit.DEFAULT, java.util.Map.of());
        try (RefreshTestSetup setup = new RefreshTestSetup("refresh_multi", directory);
             BrokerInstance a = setup.instance("a", settings);
             BrokerInstance b = setup.instance("b", settings)) {
            setup.idp.accessTokenSeconds(6);
            setup.idp.latency(5);
            List<TokenSetId> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ids.add((i % 2 == 0 ? a : b).link("user-" + i, setup.idp.issueGrant(), Instant.now().plusSeconds(6)));
            }
            a.scheduler.start();
            b.scheduler.start();

            ExecutorService callers = Executors.newFixedThreadPool(8);
            List<Future<RefreshResult>> answers = new ArrayList<>();
            Instant end = Instant.now().plusSeconds(12);
            while (Instant.now().isBefore(end)) {
                // a burst: the same few token sets asked for on both instances at once, with a validity that forces refreshes
                TokenSetId target = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                for (int i = 0; i < 8; i++) {
                    BrokerInstance instance = i % 2 == 0 ? a : b;
                    answers.add(callers.submit(() -> instance.coordinator.refreshIfExpiringWithin(target, Duration.ofMillis(5_500),
                            Actor.apiClient("backend"))));
                }
                answers.get(answers.size() - 1).get(10, TimeUnit.SECONDS);
            }
            callers.shutdown();
            for (Future<RefreshResult> answer : answers) {
                assertThat(answer.get(15, TimeUnit.SECONDS).status()).isEqualTo(TokenSetStatus.ACTIVE);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> a.meters.find("broker.refresh.token.sets").tag("status", "active")
                    .gauge().value() == ids.size());
            a.scheduler.close();
            b.scheduler.close();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    a.coordinator.attemptsInProgress() == 0 && b.coordinator.attemptsInProgress() == 0);
            assertThat(setup.idp.reuses()).as("refresh tokens presented twice to the IdP").isZero();
            assertThat(setup.idp.revokedGrants()).isZero();
            long refreshes = 0;
            for (TokenSetId id : ids) {
                assertThat(a.state(id).status()).isEqualTo(TokenSetStatus.ACTIVE);
                refreshes += a.axon.eventStore().readEvents(id.toString()).asStream()
                        .filter(event -> event.getPayload() instanceof TokenSetRefreshed).count();
            }
            assertThat(refreshes).as("many refresh cycles").isGreaterThan(ids.size() * 5L);
            assertThat(refreshes).isEqualTo(setup.idp.refreshCalls());
            assertThat(a.metrics.requests(BrokerInstance.CONNECTOR, RefreshOutcome.REFRESHED)
                    + b.metrics.requests(BrokerInstance.CONNECTOR, RefreshOutcome.REFRESHED)).isEqualTo((double) refreshes);
            assertThat(a.metrics.inFlight()).isZero();
            System.out.printf("multi-instance: %d refreshes, %d on-demand requests, a refreshed %.0f, b refreshed %.0f%n", refreshes,
                    answers.size(), a.metrics.requests(BrokerInstance.CONNECTOR, RefreshOutcome.REFRESHED),
                    b.metrics.requests(BrokerInstance.CONNECTOR, RefreshOutcome.REFRESHED));
        }
    }

    @Test
    void aThousandTokenSetsDueAtOnceAreRefreshedWithBoundedConcurrencyBeforeTheyExpire() throws Exception {
        RefreshSettings settings = RefreshTestSetup.fastSettings()
                .withConcurrency(16, new ConnectorLimit(6, 1_000));
        try (RefreshTestSetup setup = new RefreshTestSetup("refresh_herd", directory);
             BrokerInstance a = setup.instance("a", settings);
             BrokerInstance b = setup.instance("b", settings)) {
            setup.idp.latency(20);
            Instant dueNow = Instant.now().plus(Duration.ofMinutes(5)); // lead time 5m: due right now
            ExecutorService linkers = Executors.newFixedThreadPool(4);
            List<Future<TokenSetId>> linked = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                int n = i;
                linked.add(linkers.submit(() -> (n % 2 == 0 ? a : b).link("user-" + n, setup.idp.issueGrant(), dueNow)));
            }
            List<TokenSetId> ids = new ArrayList<>();
            for (Future<TokenSetId> id : linked) {
                ids.add(id.get());
            }
            linkers.shutdown();
            Instant started = Instant.now();
            a.scheduler.start();
            b.scheduler.start();

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                    setup.idp.refreshCalls() >= ids.size());
            Duration took = Duration.between(started, Instant.now());
            await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> a.state(id).tokenVersion() == 2));

            assertThat(setup.idp.maxConcurrent()).as("2 instances x 6 per connector").isLessThanOrEqualTo(12);
            assertThat(setup.idp.reuses()).isZero();
            assertThat(Instant.now()).isBefore(dueNow.plus(Duration.ofMinutes(5)));
            System.out.printf("herd: %d token sets refreshed in %s (%.0f/s), max concurrent at IdP %d, lag p99 a=%.0fms%n",
                    ids.size(), took, ids.size() * 1000.0 / took.toMillis(), setup.idp.maxConcurrent(),
                    a.metrics.scheduleLagTimer().takeSnapshot().percentileValues()[1].value(TimeUnit.MILLISECONDS));
        }
    }
}
