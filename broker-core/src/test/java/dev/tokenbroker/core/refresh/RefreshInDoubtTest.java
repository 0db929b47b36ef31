package dev.tokenbroker.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures between the IdP's answer and persistence, injected in the real database: a trigger makes every event
 * insert fail, as an unreachable event store would.
 */
class RefreshInDoubtTest {

    @TempDir
    Path directory;

    private RefreshTestSetup setup;

    @BeforeEach
    void start() {
        setup = new RefreshTestSetup("refresh_in_doubt", directory);
        setup.database.execute("""
                CREATE FUNCTION refuse_events() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'injected: event store unavailable'; END $$ LANGUAGE plpgsql""");
    }

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void recordLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        // invariant 1: retries, failures and crashes log no token value
        Set<String> tokens = setup.idp.issuedRefreshTokens();
        assertThat(logs.list).isNotEmpty().allSatisfy(event -> tokens.forEach(token -> {
            assertThat(event.getFormattedMessage()).doesNotContain(token);
            if (event.getThrowableProxy() != null) {
                assertThat(event.getThrowableProxy().getMessage()).doesNotContain(token);
            }
        }));
        setup.close();
    }

    private void eventStoreFails() {
        setup.database.execute("CREATE TRIGGER refuse_events BEFORE INSERT ON domainevententry FOR EACH ROW EXECUTE FUNCTION refuse_events()");
    }

    private void eventStoreRecovers() {
        setup.database.execute("DROP TRIGGER refuse_events ON domainevententry");
    }

    @Test
    void persistFailsThenItIsRetriedUntilPersistedAndTheIdpIsCalledOnce() {
        try (BrokerInstance broker = setup.instance("a", RefreshTestSetup.fastSettings())) {
            TokenSetId id = broker.link("user-1", setup.idp.issueGrant(), Instant.now().plusSeconds(10));
            eventStoreFails();

            CompletableFuture<RefreshResult> refresh = CompletableFuture.supplyAsync(() ->
                    broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend")));
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.metrics.persistRetries() >= 3);
            assertThat(setup.idp.refreshCalls()).isEqualTo(1);
            eventStoreRecovers();

            assertThat(refresh.join().outcome()).isEqualTo(RefreshOutcome.REFRESHED);
            assertThat(broker.state(id).status()).isEqualTo(TokenSetStatus.ACTIVE);
            assertThat(broker.state(id).refreshTokenVersion()).isEqualTo(2);
            assertThat(setup.idp.refreshCalls()).as("never called again with the old refresh token").isEqualTo(1);
            assertThat(broker.leases.isHeld(id)).isFalse();
            // the persisted rotated token is the IdP's current one
            assertThat(broker.coordinator.refreshIfExpiringWithin(id, Duration.ofDays(1), Actor.apiClient("backend")).outcome())
                    .isEqualTo(RefreshOutcome.REFRESHED);
            assertThat(setup.idp.reuses()).isZero();
        }
    }

    @Test
    void processDiesBeforePersistingThenLeaseBlocksUntilExpiryAndInvalidGrantMeansReauthorization() {
        TokenSetId id = TokenSetId.of("user-2", BrokerInstance.CONNECTOR);
        try (BrokerInstance crashing = setup.instance("crashing", RefreshTestSetup.fastSettings())) {
            crashing.link("user-2", setup.idp.issueGrant(), Instant.now().plusSeconds(10));
            eventStoreFails();
            crashing.coordinator.refreshIfDue(id, Instant.now());
            await().atMost(Duration.ofSeconds(10)).until(() -> crashing.metrics.persistRetries() >= 1);
        }
        // close() interrupted the attempt that was retrying the persist: as if the process had died. The IdP rotated.
        eventStoreRecovers();
        assertThat(setup.idp.refreshCalls()).isEqualTo(1);

        try (BrokerInstance next = setup.instance("next", RefreshTestSetup.fastSettings())) {
            assertThat(next.leases.isHeld(id)).as("the dead attempt's lease is kept until it expires").isTrue();
            RefreshResult whileLeased = next.coordinator.refreshIfDue(id, Instant.now()).join();
            assertThat(whileLeased.outcome()).isEqualTo(RefreshOutcome.BUSY);
            assertThat(setup.idp.refreshCalls()).isEqualTo(1);

            TokenSetId tokenSet = id;
            await().atMost(Duration.ofSeconds(15)).until(() -> !next.leases.isHeld(tokenSet));
            RefreshResult after = next.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend"));

            assertThat(after.outcome()).isEqualTo(RefreshOutcome.REAUTHORIZATION_REQUIRED);
            assertThat(next.state(id).status()).isEqualTo(TokenSetStatus.REAUTHORIZATION_REQUIRED);
            assertThat(next.axon.eventStore().readEvents(id.toString()).asStream()
                    .filter(event -> event.getPayload() instanceof ReauthorizationRequired)
                    .map(event -> ((ReauthorizationRequired) event.getPayload()).reason()))
                    .containsExactly("refresh_result_lost");
            assertThat(setup.idp.refreshCalls()).as("exactly one try with the old refresh token").isEqualTo(2);
        }
    }

    @Test
    void processDiesBeforePersistingAndTheIdpDoesNotRotateThenTheNextAttemptSimplyRefreshes() {
        setup.idp.rotate(false);
        TokenSetId id = TokenSetId.of("user-3", BrokerInstance.CONNECTOR);
        try (BrokerInstance crashing = setup.instance("crashing", RefreshTestSetup.fastSettings())) {
            crashing.link("user-3", setup.idp.issueGrant(), Instant.now().plusSeconds(10));
            eventStoreFails();
            crashing.coordinator.refreshIfDue(id, Instant.now());
            await().atMost(Duration.ofSeconds(10)).until(() -> crashing.metrics.persistRetries() >= 1);
        }
        eventStoreRecovers();

        try (BrokerInstance next = setup.instance("next", RefreshTestSetup.fastSettings())) {
            await().atMost(Duration.ofSeconds(15)).until(() -> !next.leases.isHeld(id));
            RefreshResult after = next.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend"));

            assertThat(after.outcome()).isEqualTo(RefreshOutcome.REFRESHED);
            assertThat(next.state(id).status()).isEqualTo(TokenSetStatus.ACTIVE);
        }
    }

    @Test
    void answerLostToAClientTimeoutAfterTheIdpRotatedIsInDoubtAndTheNextInvalidGrantMeansReauthorization() {
        try (BrokerInstance broker = setup.instance("a", RefreshTestSetup.fastSettings(), "300ms")) {
            String grant = setup.idp.issueGrant();
            setup.idp.fail(grant, new RotatingIdpSimulation.LateAnswer(1_000));
            TokenSetId id = broker.link("user-4", grant, Instant.now().plusSeconds(10));

            RefreshResult first = broker.coordinator.refreshIfDue(id, Instant.now()).join();
            assertThat(first.outcome()).isEqualTo(RefreshOutcome.RETRY_SCHEDULED);
            assertThat(first.status()).isEqualTo(TokenSetStatus.REFRESH_FAILING);

            await().atMost(Duration.ofSeconds(10)).until(() ->
                    broker.coordinator.refreshIfDue(id, Instant.now()).join().outcome() == RefreshOutcome.REAUTHORIZATION_REQUIRED);
            assertThat(broker.axon.eventStore().readEvents(id.toString()).asStream()
                    .filter(event -> event.getPayload() instanceof ReauthorizationRequired)
                    .map(event -> ((ReauthorizationRequired) event.getPayload()).reason()))
                    .containsExactly("refresh_result_lost");
        }
    }
}
