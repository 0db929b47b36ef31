package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.RecordRefreshFailureCommand;
import dev.tokenbroker.core.api.RecordTokenRefreshCommand;
import dev.tokenbroker.core.api.RefreshFailureOutcome;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outcome of an upstream refresh to the {@code TokenSet} aggregate. A successful refresh is retried
 * with capped backoff until it is persisted, for as long as it takes: the IdP may already have invalidated the old
 * refresh token, so the answer in memory is the only copy of the grant (invariant 3). The lease is extended on
 * every try so no other instance calls the IdP meanwhile. It gives up only when the aggregate itself refuses the
 * command (revoked, erased, reauthorization required meanwhile: the grant is no longer wanted) or the thread is
 * interrupted (shutdown: the lease and its in-doubt marker stay, exactly as if the process had died).
 */
final class RefreshOutcomeRecorder {

    private static final Logger log = LoggerFactory.getLogger(RefreshOutcomeRecorder.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(50);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(5);

    private final CommandGateway commands;
    private final RefreshLeaseStore leases;
    private final Duration leaseDuration;
    private final RefreshMetrics metrics;

    RefreshOutcomeRecorder(CommandGateway commands, RefreshLeaseStore leases, Duration leaseDuration, RefreshMetrics metrics) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.leaseDuration = Objects.requireNonNull(leaseDuration, "leaseDuration");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * @return empty when persisted; the rejection when the aggregate refused it
     * @throws InterruptedException when interrupted before it was persisted (the lease stays, in doubt)
     */
    Optional<TokenSetCommandRejectedException> persistRefresh(RefreshLease lease, RecordTokenRefreshCommand command)
            throws InterruptedException {
        Duration delay = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            try {
                commands.sendAndWait(command);
                return Optional.empty();
            } catch (RuntimeException e) {
                Optional<TokenSetCommandRejectedException> rejection = rejection(e);
                if (rejection.isPresent()) {
                    return rejection;
                }
                metrics.persistRetried();
                // Class name only: a database error message could quote parameters.
                log.warn("Persisting the refresh of token set {} failed (try {}, {}); retrying in {} without calling the IdP again",
                        command.tokenSetId(), attempt, e.getClass().getSimpleName(), delay);
            }
            Thread.sleep(delay.toMillis());
            extendQuietly(lease);
            delay = delay.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : delay.multipliedBy(2);
        }
    }

    /** A failure has nothing to lose (the refresh token was not rotated), so a few tries are enough. */
    RefreshFailureOutcome persistFailure(RecordRefreshFailureCommand command) throws InterruptedException {
        Duration delay = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            try {
                return commands.sendAndWait(command);
            } catch (RuntimeException e) {
                if (rejection(e).isPresent() || attempt == 5) {
                    throw e;
                }
                metrics.persistRetried();
                log.warn("Recording the refresh failure of token set {} failed (try {}, {})", command.tokenSetId(), attempt,
                        e.getClass().getSimpleName());
            }
            Thread.sleep(delay.toMillis());
            delay = delay.multipliedBy(2);
        }
    }

    private void extendQuietly(RefreshLease lease) {
        try {
            if (!leases.extend(lease, leaseDuration)) {
                log.warn("Refresh lease of token set {} expired while its answer was being persisted", lease.tokenSetId());
            }
        } catch (RuntimeException e) {
            // the database is likely down; the next try will tell
        }
    }

    static Optional<TokenSetCommandRejectedException> rejection(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof TokenSetCommandRejectedException rejected) {
                return Optional.of(rejected);
            }
        }
        return Optional.empty();
    }
}
