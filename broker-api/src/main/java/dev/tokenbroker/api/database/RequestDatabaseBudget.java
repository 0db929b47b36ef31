package dev.tokenbroker.api.database;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How much longer a request may spend on the database: {@code broker.database.request-timeout} minus the time its
 * connections were held so far (waiting for the pool included). One per thread serving a request
 * ({@link RequestDatabaseBudgetFilter}); {@link FailFastDataSource} spends it.
 *
 * <p>A budget, not a per-statement timeout: a request touches the database several times (signing keys, the calling
 * client, the read model, the event store), and some touches survive a failure (the signing keys fall back to the
 * loaded set), so per-statement bounds would add up: 20 s for one token fetch against a paused PostgreSQL. And not a
 * deadline from the request's start: time spent on an IdP (a code exchange, an on-demand refresh) is not the
 * database's, and a slow but successful IdP answer must still be recorded.
 */
final class RequestDatabaseBudget {

    private static final ThreadLocal<RequestDatabaseBudget> CURRENT = new ThreadLocal<>();

    private final Duration budget;
    private final LongSupplier nanoTime;
    private long spentNanos;

    private RequestDatabaseBudget(Duration budget, LongSupplier nanoTime) {
        this.budget = budget;
        this.nanoTime = nanoTime;
    }

    /**
     * Starts this thread's budget.
     *
     * @return false when one runs already (a nested dispatch): the outer caller ends it
     */
    static boolean begin(Duration budget) {
        return begin(budget, System::nanoTime);
    }

    static boolean begin(Duration budget, LongSupplier nanoTime) {
        if (CURRENT.get() != null) {
            return false;
        }
        CURRENT.set(new RequestDatabaseBudget(budget, nanoTime));
        return true;
    }

    static void end() {
        CURRENT.remove();
    }

    /** This thread's budget, or null when it serves no request (background work: no bound). */
    static RequestDatabaseBudget current() {
        return CURRENT.get();
    }

    Duration budget() {
        return budget;
    }

    long now() {
        return nanoTime.getAsLong();
    }

    /** Counts a connection held from {@code sinceNanos} (a {@link #now()}) until now. */
    void spendSince(long sinceNanos) {
        spentNanos += Math.max(0, now() - sinceNanos);
    }

    /**
     * Milliseconds left for a connection taken at {@code sinceNanos}, counting the time since then as spent: at
     * least 1 while any is left; 0 when the budget is used up.
     */
    int remainingMillis(long sinceNanos) {
        long nanos = budget.toNanos() - spentNanos - Math.max(0, now() - sinceNanos);
        return nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, nanos / 1_000_000));
    }
}
