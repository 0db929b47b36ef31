package dev.tokenbroker.core.refresh;

import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.core.api.RecordRefreshFailureCommand;
import dev.tokenbroker.core.api.RecordTokenRefreshCommand;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.RefreshFailureOutcome;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.crypto.TokenCipher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One refresh attempt of one token set under its {@link RefreshLease}: re-read the authoritative state from the
 * event store, decide whether a refresh is (still) needed, call the IdP within the connector's
 * {@link ConnectorThrottle}, classify the answer into a {@link RefreshOutcome}, persist it, release the lease.
 * The {@link RefreshCoordinator} decides who runs an attempt and when; this type decides what one attempt does.
 *
 * <h2>Rotation safety</h2>
 * When the IdP answers, the result is persisted ({@code RecordTokenRefreshCommand} with
 * {@code basedOnRefreshTokenVersion}) before anything else; if that fails it is retried until it succeeds, with
 * the lease extended, and the IdP is never called again with the old refresh token. {@code invalid_grant} for a
 * refresh-token version that was replaced meanwhile is a lost race ({@link RefreshOutcome#LOST_RACE}), not a dead
 * grant: the aggregate decides that from the version, so it holds across instances.
 *
 * <h2>If the process dies between the IdP's answer and persistence</h2>
 * Just before calling the IdP the attempt writes a durable in-doubt marker (the refresh-token version it is about
 * to use) into its lease row; the row is deleted only after the outcome is persisted. A process that dies in
 * between leaves the row: nobody refreshes the token set until the lease expires ({@code lease-duration}). The next
 * attempt then sees the marker for the still-current version and knows the IdP may have rotated that token and the
 * new one is lost. It tries the old refresh token exactly once — IdPs without rotation, or with a reuse grace
 * period (Okta, Auth0), answer normally and the token set stays healthy; nothing better is possible, since the only
 * valid refresh token died with the process. If the IdP answers {@code invalid_grant}, the token set requires
 * reauthorization at once (reason {@code refresh_result_lost}) instead of being retried. Transient answers are
 * handled as usual. An upstream call that ends without any HTTP answer (read timeout, broken connection) is in
 * doubt in the same way — the IdP may have processed it — so its marker is kept too, while the failure is recorded
 * as transient and retried with backoff.
 *
 * <p>Limit: the guarantee "never call the IdP twice with one refresh token" needs the lease to outlive a database
 * outage that happens while an answer is being persisted; with a longer outage, another instance could take the
 * expired lease before the answer is persisted. Choose {@code lease-duration} accordingly.
 *
 * <h2>Unexpected failures</h2>
 * Anything else that fails (the database, a bug) ends the attempt with {@link RefreshOutcome#ERROR}, logged at ERROR
 * with the exception class only (a message could quote a parameter). The lease is released as for any other outcome.
 */
final class RefreshAttempt {

    private static final Logger log = LoggerFactory.getLogger(RefreshAttempt.class);

    private final TokenSetRefreshStateReader states;
    private final RefreshLeaseStore leases;
    private final ConnectorRegistry connectors;
    private final TokenCipher cipher;
    private final ConnectorThrottles throttles;
    private final RefreshSettings settings;
    private final RefreshTiming timing;
    private final RefreshOutcomeRecorder recorder;
    private final RefreshMetrics metrics;
    private final Clock clock;

    RefreshAttempt(TokenSetRefreshStateReader states, RefreshLeaseStore leases, CommandGateway commands,
                   ConnectorRegistry connectors, TokenCipher cipher, ConnectorThrottles throttles, RefreshSettings settings,
                   RefreshMetrics metrics, Clock clock) {
        this.states = Objects.requireNonNull(states, "states");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.connectors = Objects.requireNonNull(connectors, "connectors");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.throttles = Objects.requireNonNull(throttles, "throttles");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timing = new RefreshTiming(settings);
        this.recorder = new RefreshOutcomeRecorder(commands, leases, settings.leaseDuration(), metrics);
    }

    /**
     * Runs the attempt holding {@code lease} and releases the lease (keeping its in-doubt marker where the class doc
     * says so). Never throws for a failure of the IdP or of this instance: those are outcomes.
     *
     * @throws InterruptedException when interrupted (shutdown); while an IdP answer was being persisted, the lease and
     *                              its in-doubt marker then stay, exactly as after a crash
     */
    RefreshResult run(RefreshLease lease, RefreshDemand demand) throws InterruptedException {
        try {
            return refreshHolding(lease, demand);
        } catch (RuntimeException e) {
            log.error("Refresh of token set {} ({}) failed unexpectedly: {}", lease.tokenSetId(), demand.trigger(), e.getClass().getName());
            return error(lease.tokenSetId());
        }
    }

    /** The ERROR result with the state as far as it can still be read (for the metric's connector tag). */
    private RefreshResult error(TokenSetId tokenSetId) {
        try {
            return states.read(tokenSetId).map(state -> RefreshResult.of(RefreshOutcome.ERROR, state))
                    .orElseGet(() -> RefreshResult.error(tokenSetId));
        } catch (RuntimeException e) {
            return RefreshResult.error(tokenSetId);
        }
    }

    private RefreshResult refreshHolding(RefreshLease lease, RefreshDemand demand) throws InterruptedException {
        boolean release = true;
        boolean answerLost = false;
        boolean upstreamCalled = false;
        boolean persisted = false;
        try {
            Optional<TokenSetRefreshState> current = states.read(lease.tokenSetId());
            if (current.isEmpty()) {
                return RefreshResult.unknown(lease.tokenSetId());
            }
            TokenSetRefreshState state = current.get();
            Instant now = clock.instant();
            if (!state.refreshable()) {
                return RefreshResult.of(RefreshOutcome.NOT_REFRESHABLE, state);
            }
            if (!demand.needs(state, now, timing)) {
                return RefreshResult.of(RefreshOutcome.ALREADY_FRESH, state);
            }
            if (!demand.scheduled() && state.status() == TokenSetStatus.REFRESH_FAILING
                    && state.retryAt() != null && state.retryAt().isAfter(now)) {
                // Honor the backoff (and the IdP's Retry-After) also for impatient callers.
                return RefreshResult.of(RefreshOutcome.RETRY_SCHEDULED, state);
            }
            if (timing.transientFailuresExhausted(state, now)) {
                return recordFailure(state, RefreshFailureKind.PERMANENT, "transient_failures_exceeded",
                        "refresh kept failing for longer than broker.refresh.max-transient-failure-period", null, demand);
            }
            Connector connector = connectors.find(state.connectorId()).orElse(null);
            if (connector == null) {
                log.warn("Token set {} belongs to connector '{}', which is not configured; not refreshing", state.tokenSetId(), state.connectorId());
                return RefreshResult.of(RefreshOutcome.NOT_REFRESHABLE, state);
            }
            ConnectorThrottle throttle = throttles.forConnector(state.connectorId());
            if (!throttle.acquire(demand.deadline())) {
                return RefreshResult.of(RefreshOutcome.BUSY, state);
            }
            if (demand.dueAt() != null) {
                metrics.scheduleLag(Duration.between(demand.dueAt(), clock.instant()));
            }
            TokenResult answer;
            metrics.upstreamCallStarted();
            try {
                if (!leases.markUpstreamCall(lease, state.refreshTokenVersion(), settings.leaseDuration())) {
                    return RefreshResult.of(RefreshOutcome.BUSY, state);
                }
                TokenValue refreshToken = cipher.open(state.tokenSetId(), state.refreshToken());
                upstreamCalled = true;
                // A refreshed ID token for another account than the linked one is refused (INVALID_RESPONSE, not stored).
                answer = connector.refresh(new RefreshToken(refreshToken.reveal()), null, state.upstreamSubject());
            } catch (ConnectorException e) {
                // No HTTP answer at all (timeout, broken connection): the IdP may have rotated the token anyway.
                answerLost = e.kind() == ConnectorErrorKind.TRANSIENT && e.httpStatus().isEmpty();
                e.retryAt().filter(at -> e.httpStatus().orElse(0) == 429 || e.httpStatus().orElse(0) == 403).ifPresent(throttle::pauseUntil);
                return failed(lease, state, e, demand);
            } catch (RuntimeException e) {
                // A connector that failed unexpectedly may still have had the IdP rotate the token: in doubt, as above.
                answerLost = upstreamCalled;
                throw e;
            } finally {
                metrics.upstreamCallFinished();
                throttle.release();
            }
            // From here on the answer in memory may be the only valid refresh token: persist before anything else.
            release = false;
            RecordTokenRefreshCommand command = refreshCommand(state, answer, demand);
            Optional<TokenSetCommandRejectedException> rejected = recorder.persistRefresh(lease, command);
            release = true;
            persisted = true;
            if (rejected.isPresent()) {
                log.warn("Token set {} refused the refresh result ({}); the new tokens are dropped", state.tokenSetId(), rejected.get().reason());
                return RefreshResult.of(RefreshOutcome.NOT_REFRESHABLE, states.read(state.tokenSetId()).orElse(state));
            }
            if (demand.scheduled()) {
                // Nobody waits for the token: skip re-reading the event store (a third read per refresh under load).
                return new RefreshResult(state.tokenSetId(), state.connectorId(), RefreshOutcome.REFRESHED, TokenSetStatus.ACTIVE,
                        state.tokenVersion() + 1, null, answer.accessTokenExpiresAt().orElse(null), null, command.grantedScopes());
            }
            return RefreshResult.of(RefreshOutcome.REFRESHED, states.read(state.tokenSetId()).orElseThrow());
        } finally {
            // Not released when persisting was interrupted (shutdown): the lease and its in-doubt marker stay, as after a crash.
            if (release) {
                // Keep the marker until an answer is persisted: an earlier doubt about this version still stands.
                releaseQuietly(lease, answerLost || lease.inDoubtRefreshTokenVersion().isPresent() && !persisted);
            }
        }
    }

    /** Classifies an IdP's failure: a dead grant needs a new link; everything else is retried with backoff. */
    private RefreshResult failed(RefreshLease lease, TokenSetRefreshState state, ConnectorException e, RefreshDemand demand)
            throws InterruptedException {
        String errorCode = e.errorCode().orElse(e.httpStatus().map(status -> "http_" + status).orElse("network_error"));
        if (e.kind() == ConnectorErrorKind.PERMANENT_GRANT) {
            if (lease.inDoubtFor(state.refreshTokenVersion())) {
                return recordFailure(state, RefreshFailureKind.PERMANENT, "refresh_result_lost",
                        "an earlier refresh was answered but the process died before persisting it; the IdP then answered "
                                + errorCode + " for the old refresh token", null, demand);
            }
            return recordFailure(state, RefreshFailureKind.PERMANENT, errorCode, null, null, demand);
        }
        // TRANSIENT, and also CONFIGURATION / INVALID_RESPONSE: re-linking would not help, an operator might; retry with
        // backoff and give up after max-transient-failure-period like any other lasting failure.
        Instant now = clock.instant();
        if (timing.transientFailuresExhausted(state, now)) {
            return recordFailure(state, RefreshFailureKind.PERMANENT, "transient_failures_exceeded",
                    "last error " + errorCode, null, demand);
        }
        Instant retryAt = timing.retryAt(state.consecutiveFailures() + 1, now, e.retryAt());
        return recordFailure(state, RefreshFailureKind.TRANSIENT, errorCode, e.kind().name().toLowerCase(Locale.ROOT),
                retryAt, demand);
    }

    private RefreshResult recordFailure(TokenSetRefreshState state, RefreshFailureKind kind, String errorCode,
                                        String description, Instant retryAt, RefreshDemand demand) throws InterruptedException {
        RefreshFailureOutcome outcome;
        try {
            outcome = recorder.persistFailure(new RecordRefreshFailureCommand(state.tokenSetId(), kind, errorCode, description,
                    retryAt, state.refreshTokenVersion(), demand.actor(), "refresh " + demand.trigger()));
        } catch (RuntimeException e) {
            if (RefreshOutcomeRecorder.rejection(e).isPresent()) {
                return RefreshResult.of(RefreshOutcome.NOT_REFRESHABLE, states.read(state.tokenSetId()).orElse(state));
            }
            throw e;
        }
        TokenSetRefreshState after = states.read(state.tokenSetId()).orElse(state);
        switch (outcome) {
            case IGNORED_STALE_REFRESH_TOKEN:
                return RefreshResult.of(RefreshOutcome.LOST_RACE, after);
            case REAUTHORIZATION_REQUIRED:
                return RefreshResult.of(RefreshOutcome.REAUTHORIZATION_REQUIRED, after);
            default:
                return RefreshResult.of(RefreshOutcome.RETRY_SCHEDULED, after);
        }
    }

    private static RecordTokenRefreshCommand refreshCommand(TokenSetRefreshState state, TokenResult answer, RefreshDemand demand) {
        Set<String> scopes = answer.grantedScope().map(scope -> (Set<String>) new HashSet<>(scope.toStringList()))
                .orElse(state.grantedScopes());
        return new RecordTokenRefreshCommand(state.tokenSetId(),
                TokenValue.of(answer.accessToken().getValue()),
                answer.refreshToken().map(token -> TokenValue.of(token.getValue())).orElse(null),
                answer.idToken().map(token -> TokenValue.of(token.serialize())).orElse(null),
                answer.accessTokenExpiresAt().orElse(null),
                answer.refreshTokenExpiresAt().orElse(null),
                scopes, state.refreshTokenVersion(), demand.actor(), "refresh " + demand.trigger());
    }

    private void releaseQuietly(RefreshLease lease, boolean keepInDoubtMarker) {
        try {
            if (keepInDoubtMarker) {
                leases.releaseInDoubt(lease);
            } else {
                leases.release(lease);
            }
        } catch (RuntimeException e) {
            log.warn("Could not release the refresh lease of token set {} ({}); it expires on its own", lease.tokenSetId(),
                    e.getClass().getSimpleName());
        }
    }
}
