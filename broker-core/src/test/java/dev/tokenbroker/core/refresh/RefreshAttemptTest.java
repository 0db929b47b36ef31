package dev.tokenbroker.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.RevocationOutcome;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One attempt under a lease against a scripted connector: how each upstream answer is classified into an outcome,
 * what is recorded on the token set and what happens to the lease.
 */
class RefreshAttemptTest {

    @TempDir
    static Path directory;

    private static RefreshTestSetup setup;
    private static BrokerInstance broker;
    private static int users;

    private final ScriptedConnector connector = new ScriptedConnector();
    private final RefreshSettings settings = RefreshTestSetup.fastSettings();
    private final ConnectorThrottles throttles = new ConnectorThrottles(settings, Clock.systemUTC());
    private RefreshAttempt attempt;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() {
        setup = new RefreshTestSetup("refresh_attempt", directory);
        broker = setup.instance("attempts", RefreshTestSetup.fastSettings());
    }

    @AfterAll
    static void stop() {
        broker.close();
        setup.close();
    }

    @BeforeEach
    void createAttempt() {
        attempt = new RefreshAttempt(broker.states, broker.leases, broker.commands, ConnectorRegistry.of(List.of(connector)),
                broker.cipher, throttles, settings, broker.metrics, Clock.systemUTC());
        logs.start();
        ((Logger) LoggerFactory.getLogger(RefreshAttempt.class)).addAppender(logs);
    }

    @AfterEach
    void detachLogs() {
        ((Logger) LoggerFactory.getLogger(RefreshAttempt.class)).detachAppender(logs);
    }

    private static TokenSetId linkExpiringSoon() {
        return broker.link("user-" + ++users, setup.idp.issueGrant(), Instant.now().plusSeconds(10));
    }

    private static RefreshLease lease(TokenSetId id) {
        return broker.leases.tryAcquire(id, "test/" + UUID.randomUUID(), Duration.ofSeconds(5)).orElseThrow();
    }

    private static RefreshDemand onDemand() {
        return RefreshDemand.onDemand(Duration.ofMinutes(1), Actor.apiClient("backend"), Instant.now().plusSeconds(5));
    }

    private static ConnectorException failure(ConnectorErrorKind kind, Integer httpStatus, String errorCode, Instant retryAt) {
        ConnectorException.Builder builder = ConnectorException.builder(kind, BrokerInstance.CONNECTOR, ConnectorOperation.REFRESH);
        if (httpStatus != null) {
            builder.httpStatus(httpStatus);
        }
        if (errorCode != null) {
            builder.errorCode(errorCode);
        }
        if (retryAt != null) {
            builder.retryAt(retryAt);
        }
        return builder.build();
    }

    private static List<TokenRefreshFailed> failures(TokenSetId id) {
        List<TokenRefreshFailed> failures = new ArrayList<>();
        broker.axon.eventStore().readEvents(id.toString()).asStream().forEach((DomainEventMessage<?> event) -> {
            if (event.getPayload() instanceof TokenRefreshFailed failed) {
                failures.add(failed);
            }
        });
        return failures;
    }

    @Test
    void runWhenTheIdpAnswersThenRefreshedWithTheGrantedScopesAndTheLeaseIsReleased() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        connector.next(() -> answer(Optional.of(new Scope("read", "write"))));

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.REFRESHED);
        assertThat(result.tokenVersion()).isEqualTo(2);
        assertThat(result.accessToken()).isNotNull();
        assertThat(result.grantedScopes()).containsExactlyInAnyOrder("read", "write");
        assertThat(broker.state(id).grantedScopes()).containsExactlyInAnyOrder("read", "write");
        assertThat(broker.leases.isHeld(id)).isFalse();
    }

    @Test
    void runPassesTheLinkedAccountsSubjectAndAnAnswerForAnotherSubjectIsNotStored() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        long tokenVersion = broker.state(id).tokenVersion();
        // What a connector throws for a refreshed ID token naming another account (Connector.requireSubject).
        connector.next(() -> { throw failure(ConnectorErrorKind.INVALID_RESPONSE, null, null, null); });

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(connector.expectedSubjects).containsExactly("sub-user-" + users);
        assertThat(broker.state(id).upstreamSubject()).isEqualTo("sub-user-" + users);
        assertThat(result.outcome()).isEqualTo(RefreshOutcome.RETRY_SCHEDULED);
        assertThat(broker.state(id).tokenVersion()).as("nothing of the answer stored").isEqualTo(tokenVersion);
        assertThat(failures(id)).singleElement().satisfies(failed -> assertThat(failed.errorDescription()).isEqualTo("invalid_response"));
    }

    @Test
    void runWhenScheduledAndTheIdpOmitsTheScopeThenTheResultKeepsTheScopesGrantedBefore() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        connector.next(() -> answer(Optional.empty()));

        RefreshResult result = attempt.run(lease(id), RefreshDemand.scheduled(Instant.now(), Instant.now().plusSeconds(5)));

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.REFRESHED);
        assertThat(result.accessToken()).as("scheduled: not re-read").isNull();
        assertThat(result.grantedScopes()).containsExactly("read");
    }

    @Test
    void runWhenTheIdpAnswersInvalidGrantThenReauthorizationRequired() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        connector.next(() -> { throw failure(ConnectorErrorKind.PERMANENT_GRANT, 400, "invalid_grant", null); });

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.REAUTHORIZATION_REQUIRED);
        assertThat(result.status()).isEqualTo(TokenSetStatus.REAUTHORIZATION_REQUIRED);
        assertThat(failures(id)).extracting(TokenRefreshFailed::errorCode).containsExactly("invalid_grant");
        assertThat(broker.leases.isHeld(id)).isFalse();
    }

    @Test
    void runWhenTheIdpAnswers503ThenRetryScheduledWithBackoffAndNoInDoubtMarker() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        connector.next(() -> { throw failure(ConnectorErrorKind.TRANSIENT, 503, null, null); });

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.RETRY_SCHEDULED);
        assertThat(result.status()).isEqualTo(TokenSetStatus.REFRESH_FAILING);
        assertThat(result.retryAt()).isAfter(Instant.now().minusSeconds(1));
        assertThat(failures(id)).extracting(TokenRefreshFailed::errorCode).containsExactly("http_503");
        assertThat(lease(id).inDoubtRefreshTokenVersion()).as("an HTTP answer: the IdP did not rotate").isEmpty();
    }

    @Test
    void runWhenTheCallEndsWithoutAnswerThenRetryScheduledAndTheInDoubtMarkerIsKeptUntilInvalidGrantMeansTheResultWasLost()
            throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        connector.next(() -> { throw failure(ConnectorErrorKind.TRANSIENT, null, null, null); });

        assertThat(attempt.run(lease(id), onDemand()).outcome()).isEqualTo(RefreshOutcome.RETRY_SCHEDULED);
        RefreshLease inDoubt = lease(id);
        assertThat(inDoubt.inDoubtFor(broker.state(id).refreshTokenVersion())).isTrue();

        RefreshTiming timing = new RefreshTiming(settings);
        await().atMost(Duration.ofSeconds(5)).until(() -> timing.isDue(broker.state(id), Instant.now()));
        connector.next(() -> { throw failure(ConnectorErrorKind.PERMANENT_GRANT, 400, "invalid_grant", null); });
        RefreshResult result = attempt.run(inDoubt, RefreshDemand.scheduled(Instant.now(), Instant.now().plusSeconds(5)));

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.REAUTHORIZATION_REQUIRED);
        assertThat(failures(id)).extracting(TokenRefreshFailed::errorCode).containsExactly("network_error", "refresh_result_lost");
        assertThat(broker.leases.isHeld(id)).isFalse();
    }

    @Test
    void runWhenTheIdpAnswers429ThenRetryScheduledAndTheWholeConnectorPausesUntilTheReset() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        Instant reset = Instant.now().plus(Duration.ofMinutes(10));
        connector.next(() -> { throw failure(ConnectorErrorKind.TRANSIENT, 429, null, reset); });

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.RETRY_SCHEDULED);
        assertThat(result.retryAt()).isAfterOrEqualTo(reset);
        assertThat(throttles.forConnector(BrokerInstance.CONNECTOR).acquire(Instant.now().plusSeconds(1))).isFalse();
        // another token set of the paused connector is BUSY without calling the IdP
        TokenSetId neighbour = linkExpiringSoon();
        assertThat(attempt.run(lease(neighbour), onDemand()).outcome()).isEqualTo(RefreshOutcome.BUSY);
        assertThat(connector.calls).isEqualTo(1);
    }

    @Test
    void runWhenTheConnectorIsMisconfiguredThenRetriedNotARelink() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        connector.next(() -> { throw failure(ConnectorErrorKind.CONFIGURATION, 401, "invalid_client", null); });

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.RETRY_SCHEDULED);
        assertThat(failures(id)).singleElement().satisfies(failed -> {
            assertThat(failed.errorCode()).isEqualTo("invalid_client");
            assertThat(failed.errorDescription()).isEqualTo("configuration");
        });
    }

    @Test
    void runWhenSomethingUnexpectedFailsThenErrorLoggedWithTheExceptionClassAndNothingRecorded() throws InterruptedException {
        TokenSetId id = linkExpiringSoon();
        connector.next(() -> { throw new IllegalStateException("parser bug near rt-do-not-log"); });

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.ERROR);
        assertThat(result.connectorId()).isEqualTo(BrokerInstance.CONNECTOR);
        assertThat(result.status()).isEqualTo(TokenSetStatus.ACTIVE);
        assertThat(failures(id)).isEmpty();
        assertThat(broker.leases.isHeld(id)).isFalse();
        assertThat(new JdbcTemplate(broker.dataSource).queryForObject(
                "SELECT in_doubt_refresh_token_version FROM refresh_lease WHERE token_set_id = ?", Long.class, id.value()))
                .as("the connector failed after the call began: the IdP may have rotated the token, so it stays in doubt")
                .isNotNull();
        assertThat(logs.list).filteredOn(event -> event.getLevel() == Level.ERROR).singleElement().satisfies(event -> {
            assertThat(event.getFormattedMessage()).contains(IllegalStateException.class.getName()).doesNotContain("rt-do-not-log");
            assertThat(event.getThrowableProxy()).isNull();
        });
    }

    @Test
    void runWhenSomeoneRefreshedMeanwhileThenAlreadyFreshWithoutCallingTheIdp() throws InterruptedException {
        TokenSetId id = broker.link("user-" + ++users, setup.idp.issueGrant(), Instant.now().plus(Duration.ofHours(1)));

        RefreshResult result = attempt.run(lease(id), onDemand());

        assertThat(result.outcome()).isEqualTo(RefreshOutcome.ALREADY_FRESH);
        assertThat(result.grantedScopes()).containsExactly("read");
        assertThat(connector.calls).isZero();
    }

    private static TokenResult answer(Optional<Scope> scope) {
        return new TokenResult(new BearerAccessToken("at-" + UUID.randomUUID()), Optional.of(new RefreshToken("rt-" + UUID.randomUUID())),
                Optional.empty(), Optional.empty(), Optional.of(Instant.now().plus(Duration.ofHours(1))), Optional.empty(), scope);
    }

    /** Answers each refresh with the next scripted answer; nothing else is used by an attempt. */
    private static final class ScriptedConnector implements Connector {

        private final List<Supplier<TokenResult>> answers = new ArrayList<>();
        final List<String> expectedSubjects = new ArrayList<>();
        int calls;

        @Override
        public synchronized TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope, String expectedSubject) {
            expectedSubjects.add(expectedSubject);
            return Connector.super.refresh(refreshToken, narrowerScope, expectedSubject);
        }

        void next(Supplier<TokenResult> answer) {
            answers.add(answer);
        }

        @Override
        public String id() {
            return BrokerInstance.CONNECTOR;
        }

        @Override
        public synchronized TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope) {
            calls++;
            return answers.remove(0).get();
        }

        @Override
        public AuthorizationStart startAuthorization(URI redirectUri, Scope scope) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TokenResult exchange(URI callbackUri, PendingAuthorization pending) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RevocationOutcome revoke(AccessToken accessToken, Optional<RefreshToken> refreshToken) {
            throw new UnsupportedOperationException();
        }

        @Override
        public UpstreamAccount identify(TokenResult tokens) {
            throw new UnsupportedOperationException();
        }
    }
}
