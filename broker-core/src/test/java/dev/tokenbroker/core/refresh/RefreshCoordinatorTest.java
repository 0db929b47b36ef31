package dev.tokenbroker.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.LinkTokenSetCommand;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.TokenValue;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefreshCoordinatorTest {

    @TempDir
    static Path directory;

    private static RefreshTestSetup setup;
    private static BrokerInstance broker;
    private static int users;

    @BeforeAll
    static void start() {
        setup = new RefreshTestSetup("refresh_coordinator", directory);
        // a short read timeout, so a stalled IdP shows as a timeout quickly
        broker = setup.instance("a", RefreshTestSetup.fastSettings(), "400ms");
    }

    @AfterAll
    static void stop() {
        broker.close();
        setup.close();
    }

    private static TokenSetId linkExpiringIn(Duration duration, RotatingIdpSimulation.Fault... faults) {
        String grant = setup.idp.issueGrant();
        setup.idp.fail(grant, faults);
        return broker.link("user-" + ++users, grant, Instant.now().plus(duration));
    }

    @Test
    void refreshWhenExpiringThenRotatedTokenIsPersistedAndTokenSetStaysActive() {
        TokenSetId id = linkExpiringIn(Duration.ofSeconds(30));

        RefreshResult result = broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend"));

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.REFRESHED);
        assertThat(result.status()).isEqualTo(TokenSetStatus.ACTIVE);
        assertThat(result.validFor(Duration.ofMinutes(1), Instant.now())).isTrue();
        TokenSetRefreshState state = broker.state(id);
        assertThat(state.refreshTokenVersion()).isEqualTo(2);
        assertThat(broker.cipher.open(id, state.refreshToken()).reveal()).startsWith("rt-");
        // the rotated token works: a second forced refresh uses it without any reuse
        assertThat(broker.coordinator.refreshIfExpiringWithin(id, Duration.ofDays(1), Actor.apiClient("backend")).outcome())
                .isEqualTo(RefreshOutcome.REFRESHED);
        assertThat(setup.idp.reuses()).isZero();
    }

    @Test
    void refreshWhenStillValidLongEnoughThenNothingIsCalled() {
        TokenSetId id = linkExpiringIn(Duration.ofHours(1));
        int calls = setup.idp.refreshCalls();

        RefreshResult result = broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(5), Actor.apiClient("backend"));

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.ALREADY_FRESH);
        assertThat(setup.idp.refreshCalls()).isEqualTo(calls);
    }

    @Test
    void concurrentCallersOnOneInstanceShareOneUpstreamRefresh() {
        TokenSetId id = linkExpiringIn(Duration.ofHours(1));
        setup.idp.latency(200);
        int calls = setup.idp.refreshCalls();

        List<CompletableFuture<RefreshResult>> callers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(20);
        for (int i = 0; i < 20; i++) {
            callers.add(CompletableFuture.supplyAsync(() ->
                    broker.coordinator.refreshIfExpiringWithin(id, Duration.ofHours(2), Actor.apiClient("backend")), threads));
        }
        threads.shutdown();

        assertThat(callers).allSatisfy(caller -> assertThat(caller.join().tokenVersion()).isEqualTo(2));
        setup.idp.latency(0);
        assertThat(setup.idp.refreshCalls() - calls).isEqualTo(1);
    }

    @Test
    void invalidGrantThenReauthorizationRequired() {
        TokenSetId id = linkExpiringIn(Duration.ofSeconds(10), new RotatingIdpSimulation.InvalidGrant(() -> { }));

        RefreshResult result = broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend"));

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.REAUTHORIZATION_REQUIRED);
        assertThat(broker.state(id).status()).isEqualTo(TokenSetStatus.REAUTHORIZATION_REQUIRED);
        int calls = setup.idp.refreshCalls();
        assertThat(broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend")).outcome())
                .isEqualTo(RefreshOutcome.NOT_REFRESHABLE);
        assertThat(setup.idp.refreshCalls()).as("no more attempts").isEqualTo(calls);
    }

    @Test
    void invalidGrantForARefreshTokenReplacedMeanwhileIsALostRaceAndTheTokenSetStaysActive() {
        String user = "user-" + ++users;
        String grant = setup.idp.issueGrant();
        TokenSetId id = broker.link(user, grant, Instant.now().plusSeconds(10));
        // While the IdP handles the refresh, the user links again: the stored refresh token changes under the refresh.
        setup.idp.fail(grant, new RotatingIdpSimulation.InvalidGrant(() -> broker.commands.sendAndWait(new LinkTokenSetCommand(id, user,
                BrokerInstance.CONNECTOR, TokenValue.of("at-relinked"), TokenValue.of(setup.idp.issueGrant()), null,
                Instant.now().plusSeconds(3600), null, Set.of("read"), "sub-" + user, null, Actor.user(user, "cs-2"), "relink"))));

        RefreshResult result = broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend"));

        // no failure is recorded (the aggregate ignores the stale one); the caller gets the relinked, valid token
        assertThat(broker.metrics.requests(BrokerInstance.CONNECTOR, RefreshOutcome.LOST_RACE)).isEqualTo(1);
        assertThat(result.outcome()).isEqualTo(RefreshOutcome.LOST_RACE);
        assertThat(broker.state(id).status()).isEqualTo(TokenSetStatus.ACTIVE);
        assertThat(result.validFor(Duration.ofMinutes(1), Instant.now())).isTrue();
    }

    @Test
    void transientFailuresBackOffHonorRetryAfterAndRecover() {
        TokenSetId id = linkExpiringIn(Duration.ofSeconds(10), new RotatingIdpSimulation.Status(503),
                new RotatingIdpSimulation.Slow(1_000), new RotatingIdpSimulation.RateLimited(2));

        RefreshResult first = broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend"));
        assertThat(first.outcome()).isEqualTo(RefreshOutcome.RETRY_SCHEDULED);
        assertThat(first.status()).isEqualTo(TokenSetStatus.REFRESH_FAILING);
        // an impatient caller before the retry time does not reach the IdP
        assertThat(broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend")).outcome())
                .isIn(RefreshOutcome.RETRY_SCHEDULED, RefreshOutcome.REFRESHED);

        broker.scheduler.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.state(id).status() == TokenSetStatus.ACTIVE
                && broker.state(id).tokenVersion() == 2);

        List<TokenRefreshFailed> failures = new ArrayList<>();
        List<Instant> failedAt = new ArrayList<>();
        broker.axon.eventStore().readEvents(id.toString()).asStream().forEach((DomainEventMessage<?> event) -> {
            if (event.getPayload() instanceof TokenRefreshFailed failed) {
                failures.add(failed);
                failedAt.add(event.getTimestamp());
            }
        });
        assertThat(failures).extracting(TokenRefreshFailed::errorCode).containsExactly("http_503", "network_error", "http_429");
        assertThat(failures).extracting(TokenRefreshFailed::consecutiveFailures).containsExactly(1, 2, 3);
        // full jitter within the capped exponential ceiling: base 200ms, then 400ms
        assertThat(Duration.between(failedAt.get(0), failures.get(0).retryAt())).isLessThanOrEqualTo(Duration.ofMillis(250));
        assertThat(Duration.between(failedAt.get(1), failures.get(1).retryAt())).isLessThanOrEqualTo(Duration.ofMillis(450));
        // Retry-After: 2 seconds wins over the shorter backoff
        assertThat(Duration.between(failedAt.get(2), failures.get(2).retryAt())).isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
        assertThat(setup.idp.reuses()).isZero();
    }

    @Test
    void transientFailuresLastingLongerThanTheConfiguredPeriodRequireReauthorization() {
        String grant = setup.idp.issueGrant();
        RotatingIdpSimulation.Fault[] outage = new RotatingIdpSimulation.Fault[50];
        java.util.Arrays.fill(outage, new RotatingIdpSimulation.Status(502));
        setup.idp.fail(grant, outage);
        try (BrokerInstance impatient = setup.instance("impatient",
                RefreshTestSetup.fastSettings().withMaxTransientFailurePeriod(Duration.ofSeconds(1)), "400ms")) {
            TokenSetId id = impatient.link("user-" + ++users, grant, Instant.now().plusSeconds(10));

            await().atMost(Duration.ofSeconds(15)).until(() ->
                    impatient.coordinator.refreshIfDue(id, Instant.now()).join().outcome() == RefreshOutcome.REAUTHORIZATION_REQUIRED);

            assertThat(impatient.state(id).status()).isEqualTo(TokenSetStatus.REAUTHORIZATION_REQUIRED);
            assertThat(impatient.state(id).consecutiveFailures()).isGreaterThan(1);
            assertThat(impatient.coordinator.refreshIfDue(id, Instant.now()).join().outcome()).isEqualTo(RefreshOutcome.NOT_REFRESHABLE);
        }
    }

    @Test
    void onDemandCallerGivesUpAfterTheWaitTimeoutWhileTheRefreshGoesOn() {
        RefreshSettings settings = RefreshTestSetup.fastSettings();
        RefreshSettings impatient = new RefreshSettings(settings.leadTime(), settings.jitter(), settings.keepAliveInterval(),
                settings.maxTransientFailurePeriod(), settings.backoffBase(), settings.backoffCap(), settings.batchSize(),
                settings.pollInterval(), settings.leaseDuration(), Duration.ofMillis(200), settings.maxConcurrentRefreshes(),
                settings.defaultConnectorLimit(), settings.connectorLimits());
        String grant = setup.idp.issueGrant();
        setup.idp.fail(grant, new RotatingIdpSimulation.LateAnswer(300));
        try (BrokerInstance broker = setup.instance("waiting", impatient, "5s")) {
            TokenSetId id = broker.link("user-" + ++users, grant, Instant.now().plusSeconds(10));

            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend")))
                    .isInstanceOf(RefreshTimeoutException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.state(id).tokenVersion() == 2);
        }
    }
}
