package dev.tokenbroker.api.database;

import java.time.Duration;

/**
 * The time a request has left to wait for the database, one per thread serving a request
 * ({@link RequestDatabaseTimeoutFilter}); {@link FailFastDataSource} reads it. A deadline, not a per-statement
 * timeout: a request touches the database several times (signing keys, the calling client, the read model, the
 * event store), and some of those touches survive a failure (the signing keys fall back to the loaded set), so
 * per-statement bounds would add up.
 */
final class RequestDeadline {

    private static final ThreadLocal<RequestDeadline> CURRENT = new ThreadLocal<>();

    private final Duration budget;
    private final long deadlineNanos;

    private RequestDeadline(Duration budget) {
        this.budget = budget;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    /**
     * Starts this thread's deadline, {@code budget} from now.
     *
     * @return false when one runs already (a nested dispatch): the outer caller ends it
     */
    static boolean begin(Duration budget) {
        if (CURRENT.get() != null) {
            return false;
        }
        CURRENT.set(new RequestDeadline(budget));
        return true;
    }

    static void end() {
        CURRENT.remove();
    }

    /** This thread's deadline, or null when it serves no request (background work: no deadline). */
    static RequestDeadline current() {
        return CURRENT.get();
    }

    Duration budget() {
        return budget;
    }

    /** Milliseconds left, at least 1 while any time is left; 0 when it has passed. */
    int remainingMillis() {
        long nanos = deadlineNanos - System.nanoTime();
        return nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, nanos / 1_000_000));
    }
}
