package dev.tokenbroker.core.refresh;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.core.api.Actor;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes token sets at their IdP, one upstream refresh per token set at a time across all instances. Used by
 * the token API's on-demand path ({@link #refreshIfExpiringWithin}) and by the {@link RefreshScheduler}
 * ({@link #refreshIfDue}).
 *
 * <h2>Concurrency</h2>
 * <ul>
 *   <li>In this process, concurrent requests for one token set share one in-flight attempt (one future).</li>
 *   <li>Across instances, an attempt calls the IdP only while it holds the token set's {@link RefreshLease}
 *       ({@link RefreshLeaseStore}). After taking the lease it re-reads the authoritative state from the event
 *       store and does nothing if someone else refreshed meanwhile.</li>
 *   <li>Per connector, upstream calls are bounded by a {@link ConnectorThrottle} (concurrency, rate, rate-limit resets).</li>
 * </ul>
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
 */
public final class RefreshCoordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RefreshCoordinator.class);
    private static final Duration LEASE_POLL = Duration.ofMillis(50);
    private static final String TRIGGER_ON_DEMAND = "on_demand";
    private static final String TRIGGER_SCHEDULE = "schedule";

    private final TokenSetRefreshStateReader states;
    private final RefreshLeaseStore leases;
    private final ConnectorRegistry connectors;
    private final TokenCipher cipher;
    private final RefreshTiming timing;
    private final RefreshSettings settings;
    private final RefreshMetrics metrics;
    private final RefreshOutcomeRecorder recorder;
    private final Clock clock;
    private final String instanceId;
    private final ExecutorService workers;
    private final Map<TokenSetId, CompletableFuture<RefreshResult>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, ConnectorThrottle> throttles = new ConcurrentHashMap<>();

    public RefreshCoordinator(TokenSetRefreshStateReader states, RefreshLeaseStore leases, CommandGateway commands,
                              ConnectorRegistry connectors, TokenCipher cipher, RefreshSettings settings,
                              RefreshMetrics metrics, Clock clock, String instanceId) {
        this.states = Objects.requireNonNull(states, "states");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.connectors = Objects.requireNonNull(connectors, "connectors");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.timing = new RefreshTiming(settings);
        this.recorder = new RefreshOutcomeRecorder(commands, leases, settings.leaseDuration(), metrics);
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.maxConcurrentRefreshes(), runnable -> {
            Thread thread = new Thread(runnable, "refresh-" + instanceId + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The token API's path: makes sure the access token is valid for at least {@code minValidity}, refreshing it
     * first if needed, and waits at most {@code broker.refresh.on-demand-wait-timeout}. Concurrent callers for the
     * same token set (here or on other instances) wait for the one refresh in flight.
     *
     * @return the outcome and the authoritative current state; check {@link RefreshResult#validFor} and
     *         {@link RefreshResult#status()} — a failing IdP gives {@link RefreshOutcome#RETRY_SCHEDULED} with the
     *         still-current token, a dead grant {@link RefreshOutcome#REAUTHORIZATION_REQUIRED}
     * @throws RefreshTimeoutException when the refresh did not finish in time (it continues in the background)
     */
    public RefreshResult refreshIfExpiringWithin(TokenSetId tokenSetId, Duration minValidity, Actor actor) {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(minValidity, "minValidity");
        Objects.requireNonNull(actor, "actor");
        Instant deadline = clock.instant().plus(settings.onDemandWaitTimeout());
        Optional<TokenSetRefreshState> current = states.read(tokenSetId);
        if (current.isEmpty()) {
            return RefreshResult.unknown(tokenSetId);
        }
        if (!current.get().accessTokenExpiresBefore(clock.instant().plus(minValidity)) || !current.get().refreshable()) {
            return RefreshResult.of(current.get().refreshable() ? RefreshOutcome.ALREADY_FRESH : RefreshOutcome.NOT_REFRESHABLE,
                    current.get());
        }
        Demand demand = Demand.onDemand(minValidity, actor, deadline);
        while (true) {
            CompletableFuture<RefreshResult> attempt = attempt(tokenSetId, demand);
            RefreshResult result;
            try {
                result = attempt.get(Math.max(0, Duration.between(clock.instant(), deadline).toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new RefreshTimeoutException(tokenSetId, settings.onDemandWaitTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RefreshTimeoutException(tokenSetId, Duration.between(deadline.minus(settings.onDemandWaitTimeout()), clock.instant()));
            } catch (ExecutionException e) {
                throw new IllegalStateException("Refresh of token set " + tokenSetId + " failed", e.getCause());
            }
            // A shared attempt may have been started for a weaker need (a scheduled one, or a shorter minValidity).
            boolean satisfied = result.validFor(minValidity, clock.instant());
            // A lost race means the stored refresh token changed under us: try again with the current one.
            // A joined scheduled attempt reports REFRESHED without re-reading the token: read it in another round.
            boolean worthAnotherRound = result.outcome() == RefreshOutcome.ALREADY_FRESH || result.outcome() == RefreshOutcome.BUSY
                    || result.outcome() == RefreshOutcome.LOST_RACE
                    || (result.outcome() == RefreshOutcome.REFRESHED && result.accessToken() == null);
            if (satisfied || !worthAnotherRound) {
                return result;
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new RefreshTimeoutException(tokenSetId, settings.onDemandWaitTimeout());
            }
        }
    }

    /**
     * The scheduler's path: refreshes the token set if it is (still) due according to the authoritative state.
     * Does not wait for another instance's lease: that instance is doing the work.
     *
     * @param dueAt the due time the schedule had, for the lag metric
     * @return for {@link RefreshOutcome#REFRESHED} the new token version and expiry but no {@code accessToken} (not re-read)
     */
    public CompletableFuture<RefreshResult> refreshIfDue(TokenSetId tokenSetId, Instant dueAt) {
        return attempt(tokenSetId, Demand.scheduled(dueAt, clock.instant().plus(settings.leaseDuration())));
    }

    /** Refresh attempts running or queued on this instance. */
    public int attemptsInProgress() {
        return inFlight.size();
    }

    private CompletableFuture<RefreshResult> attempt(TokenSetId tokenSetId, Demand demand) {
        CompletableFuture<RefreshResult> created = new CompletableFuture<>();
        CompletableFuture<RefreshResult> existing = inFlight.putIfAbsent(tokenSetId, created);
        if (existing != null) {
            return existing;
        }
        try {
            workers.execute(() -> {
                try {
                    created.complete(run(tokenSetId, demand));
                } catch (Throwable e) {
                    created.completeExceptionally(e);
                    if (e instanceof Error error) {
                        throw error;
                    }
                } finally {
                    inFlight.remove(tokenSetId, created);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(tokenSetId, created);
            created.completeExceptionally(e);
        }
        return created;
    }

    private RefreshResult run(TokenSetId tokenSetId, Demand demand) throws InterruptedException {
        try {
            RefreshResult result = runUnderLease(tokenSetId, demand);
            metrics.requestFinished(result.connectorId(), result.outcome(), demand.trigger());
            return result;
        } catch (RuntimeException e) {
            metrics.requestFinished(null, RefreshOutcome.BUSY, demand.trigger());
            log.warn("Refresh of token set {} failed unexpectedly ({})", tokenSetId, e.getClass().getSimpleName());
            throw e;
        }
    }

    private RefreshResult runUnderLease(TokenSetId tokenSetId, Demand demand) throws InterruptedException {
        String owner = instanceId + "/" + UUID.randomUUID();
        while (true) {
            Optional<RefreshLease> lease = leases.tryAcquire(tokenSetId, owner, settings.leaseDuration());
            if (lease.isPresent()) {
                return refreshHolding(lease.get(), demand);
            }
            // Someone else (another instance, or a crashed one until its lease expires) is refreshing.
            Optional<TokenSetRefreshState> state = states.read(tokenSetId);
            if (state.isEmpty()) {
                return RefreshResult.unknown(tokenSetId);
            }
            if (!demand.needs(state.get(), clock.instant(), timing)) {
                return RefreshResult.of(RefreshOutcome.ALREADY_FRESH, state.get());
            }
            if (demand.scheduled() || !clock.instant().plus(LEASE_POLL).isBefore(demand.deadline())) {
                return RefreshResult.of(RefreshOutcome.BUSY, state.get());
            }
            Thread.sleep(LEASE_POLL.toMillis());
        }
    }

    private RefreshResult refreshHolding(RefreshLease lease, Demand demand) throws InterruptedException {
        boolean release = true;
        boolean answerLost = false;
        boolean persisted = false;
        try {
            Optional<TokenSetRefreshState> read = states.read(lease.tokenSetId());
            if (read.isEmpty()) {
                return RefreshResult.unknown(lease.tokenSetId());
            }
            TokenSetRefreshState state = read.get();
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
                return recordFailure(lease, state, RefreshFailureKind.PERMANENT, "transient_failures_exceeded",
                        "refresh kept failing for longer than broker.refresh.max-transient-failure-period", null, demand);
            }
            Connector connector = connectors.find(state.connectorId()).orElse(null);
            if (connector == null) {
                log.warn("Token set {} belongs to connector '{}', which is not configured; not refreshing", state.tokenSetId(), state.connectorId());
                return RefreshResult.of(RefreshOutcome.NOT_REFRESHABLE, state);
            }
            ConnectorThrottle throttle = throttle(state.connectorId());
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
                answer = connector.refresh(new RefreshToken(refreshToken.reveal()));
            } catch (ConnectorException e) {
                // No HTTP answer at all (timeout, broken connection): the IdP may have rotated the token anyway.
                answerLost = e.kind() == ConnectorErrorKind.TRANSIENT && e.httpStatus().isEmpty();
                e.retryAt().filter(at -> e.httpStatus().orElse(0) == 429 || e.httpStatus().orElse(0) == 403).ifPresent(throttle::pauseUntil);
                return failed(lease, state, e, demand);
            } finally {
                metrics.upstreamCallFinished();
                throttle.release();
            }
            // From here on the answer in memory may be the only valid refresh token: persist before anything else.
            release = false;
            Optional<TokenSetCommandRejectedException> rejected = recorder.persistRefresh(lease, refreshCommand(state, answer, demand));
            release = true;
            persisted = true;
            if (rejected.isPresent()) {
                log.warn("Token set {} refused the refresh result ({}); the new tokens are dropped", state.tokenSetId(), rejected.get().reason());
                return RefreshResult.of(RefreshOutcome.NOT_REFRESHABLE, states.read(state.tokenSetId()).orElse(state));
            }
            if (demand.scheduled()) {
                // Nobody waits for the token: skip re-reading the event store (a third read per refresh under load).
                return new RefreshResult(state.tokenSetId(), state.connectorId(), RefreshOutcome.REFRESHED, TokenSetStatus.ACTIVE,
                        state.tokenVersion() + 1, null, answer.accessTokenExpiresAt().orElse(null), null);
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

    private RefreshResult failed(RefreshLease lease, TokenSetRefreshState state, ConnectorException e, Demand demand)
            throws InterruptedException {
        String errorCode = e.errorCode().orElse(e.httpStatus().map(status -> "http_" + status).orElse("network_error"));
        if (e.kind() == ConnectorErrorKind.PERMANENT_GRANT) {
            if (lease.inDoubtFor(state.refreshTokenVersion())) {
                return recordFailure(lease, state, RefreshFailureKind.PERMANENT, "refresh_result_lost",
                        "an earlier refresh was answered but the process died before persisting it; the IdP then answered "
                                + errorCode + " for the old refresh token", null, demand);
            }
            return recordFailure(lease, state, RefreshFailureKind.PERMANENT, errorCode, null, null, demand);
        }
        // TRANSIENT, and also CONFIGURATION / INVALID_RESPONSE: re-linking would not help, an operator might; retry with
        // backoff and give up after max-transient-failure-period like any other lasting failure.
        Instant now = clock.instant();
        if (timing.transientFailuresExhausted(state, now)) {
            return recordFailure(lease, state, RefreshFailureKind.PERMANENT, "transient_failures_exceeded",
                    "last error " + errorCode, null, demand);
        }
        Instant retryAt = timing.retryAt(state.consecutiveFailures() + 1, now, e.retryAt());
        return recordFailure(lease, state, RefreshFailureKind.TRANSIENT, errorCode, e.kind().name().toLowerCase(java.util.Locale.ROOT),
                retryAt, demand);
    }

    private RefreshResult recordFailure(RefreshLease lease, TokenSetRefreshState state, RefreshFailureKind kind, String errorCode,
                                        String description, Instant retryAt, Demand demand) throws InterruptedException {
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

    private static RecordTokenRefreshCommand refreshCommand(TokenSetRefreshState state, TokenResult answer, Demand demand) {
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

    private ConnectorThrottle throttle(String connectorId) {
        return throttles.computeIfAbsent(connectorId, id -> new ConnectorThrottle(settings.limitFor(id), clock));
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

    /** Stops the workers; attempts still persisting an answer are interrupted and keep their lease (see class doc). */
    @Override
    public void close() {
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a request needs: on demand, a minimum validity; scheduled, the schedule's rules. */
    private record Demand(Duration minValidity, Instant dueAt, Actor actor, Instant deadline) {

        static Demand onDemand(Duration minValidity, Actor actor, Instant deadline) {
            return new Demand(minValidity, null, actor, deadline);
        }

        static Demand scheduled(Instant dueAt, Instant deadline) {
            return new Demand(null, dueAt, Actor.scheduler(), deadline);
        }

        boolean scheduled() {
            return minValidity == null;
        }

        String trigger() {
            return scheduled() ? TRIGGER_SCHEDULE : TRIGGER_ON_DEMAND;
        }

        boolean needs(TokenSetRefreshState state, Instant now, RefreshTiming timing) {
            if (!state.refreshable()) {
                return false;
            }
            return scheduled() ? timing.isDue(state, now) : state.accessTokenExpiresBefore(now.plus(minValidity));
        }
    }
}
