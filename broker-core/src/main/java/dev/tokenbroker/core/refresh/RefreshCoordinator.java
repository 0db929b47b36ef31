package dev.tokenbroker.core.refresh;

import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.crypto.TokenCipher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * ({@link #refreshIfDue}). This class is the protocol — who runs an attempt, who waits for it and for how long; what
 * one attempt does (re-read, decide, call the IdP, classify, persist) is {@link RefreshAttempt}, including its
 * rotation safety and what happens when the process dies while an IdP's answer is in doubt.
 *
 * <h2>Concurrency</h2>
 * <ul>
 *   <li>In this process, concurrent requests for one token set share one in-flight attempt (one future).</li>
 *   <li>Across instances, an attempt calls the IdP only while it holds the token set's {@link RefreshLease}
 *       ({@link RefreshLeaseStore}). After taking the lease it re-reads the authoritative state from the event
 *       store and does nothing if someone else refreshed meanwhile. Without the lease, an on-demand caller polls
 *       for it until its deadline; the scheduler does not wait: the lease holder is doing the work.</li>
 *   <li>Per connector, upstream calls are bounded by a {@link ConnectorThrottle} (concurrency, rate, rate-limit
 *       resets), one per connector in {@link ConnectorThrottles}.</li>
 *   <li>At most {@code max-concurrent-refreshes} attempts run at once on this instance (its worker threads).</li>
 * </ul>
 */
public final class RefreshCoordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RefreshCoordinator.class);
    private static final Duration LEASE_POLL = Duration.ofMillis(50);

    private final TokenSetRefreshStateReader states;
    private final RefreshLeaseStore leases;
    private final RefreshAttempt attempt;
    private final RefreshTiming timing;
    private final RefreshSettings settings;
    private final RefreshMetrics metrics;
    private final Clock clock;
    private final String instanceId;
    private final ExecutorService workers;
    private final Map<TokenSetId, CompletableFuture<RefreshResult>> inFlight = new ConcurrentHashMap<>();

    public RefreshCoordinator(TokenSetRefreshStateReader states, RefreshLeaseStore leases, CommandGateway commands,
                              ConnectorRegistry connectors, TokenCipher cipher, RefreshSettings settings,
                              RefreshMetrics metrics, Clock clock, String instanceId) {
        this.states = Objects.requireNonNull(states, "states");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.timing = new RefreshTiming(settings);
        this.attempt = new RefreshAttempt(states, leases, commands, connectors, cipher, new ConnectorThrottles(settings, clock),
                settings, metrics, clock);
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
     *         still-current token, a dead grant {@link RefreshOutcome#REAUTHORIZATION_REQUIRED}, an unexpected
     *         failure (logged at ERROR) {@link RefreshOutcome#ERROR}
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
        RefreshDemand demand = RefreshDemand.onDemand(minValidity, actor, deadline);
        while (true) {
            CompletableFuture<RefreshResult> shared = attempt(tokenSetId, demand);
            RefreshResult result;
            try {
                result = shared.get(Math.max(0, Duration.between(clock.instant(), deadline).toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new RefreshTimeoutException(tokenSetId, settings.onDemandWaitTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RefreshTimeoutException(tokenSetId, Duration.between(deadline.minus(settings.onDemandWaitTimeout()), clock.instant()));
            } catch (ExecutionException e) {
                throw new IllegalStateException("Refresh of token set " + tokenSetId + " failed", e.getCause());
            }
            if (result.outcome() == RefreshOutcome.ERROR) {
                // Logged where it happened; the caller answers "try again later", never an internal error.
                return result;
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
     * @return for {@link RefreshOutcome#REFRESHED} the new token version, expiry and scopes but no {@code accessToken} (not re-read)
     */
    public CompletableFuture<RefreshResult> refreshIfDue(TokenSetId tokenSetId, Instant dueAt) {
        return attempt(tokenSetId, RefreshDemand.scheduled(dueAt, clock.instant().plus(settings.leaseDuration())));
    }

    /** Refresh attempts running or queued on this instance. */
    public int attemptsInProgress() {
        return inFlight.size();
    }

    /** Joins the attempt in flight for this token set on this instance, or starts one on a worker. */
    private CompletableFuture<RefreshResult> attempt(TokenSetId tokenSetId, RefreshDemand demand) {
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

    private RefreshResult run(TokenSetId tokenSetId, RefreshDemand demand) throws InterruptedException {
        RefreshResult result;
        try {
            result = runUnderLease(tokenSetId, demand);
        } catch (RuntimeException e) {
            // The lease store or the event store failed before an attempt could start; the attempt reports its own.
            log.error("Refresh of token set {} ({}) failed unexpectedly: {}", tokenSetId, demand.trigger(), e.getClass().getName());
            result = RefreshResult.error(tokenSetId);
        }
        metrics.requestFinished(result.connectorId(), result.outcome(), demand.trigger());
        return result;
    }

    /** Takes the token set's lease and runs the attempt, or polls for the lease while the caller still needs a refresh. */
    private RefreshResult runUnderLease(TokenSetId tokenSetId, RefreshDemand demand) throws InterruptedException {
        String owner = instanceId + "/" + UUID.randomUUID();
        while (true) {
            Optional<RefreshLease> lease = leases.tryAcquire(tokenSetId, owner, settings.leaseDuration());
            if (lease.isPresent()) {
                return attempt.run(lease.get(), demand);
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

    /** Stops the workers; attempts still persisting an answer are interrupted and keep their lease (see {@link RefreshAttempt}). */
    @Override
    public void close() {
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
