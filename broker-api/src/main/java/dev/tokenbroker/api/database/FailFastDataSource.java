package dev.tokenbroker.api.database;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Bounds how long anyone waits for the database while it is unreachable. Without it every touch of the database
 * waits the pool's connection timeout (5 s): a request that touches it three times (signing keys, the calling
 * client, the read model) hangs 15 s before its 503. Once a connection attempt fails because the database cannot
 * be reached (SQL state class {@code 08}, connection exception, or {@code 57P}, shutting down), callers fail at
 * once with a {@link SQLTransientConnectionException} — a 503 with {@code Retry-After} on the API — while one
 * caller at a time, at most once per {@link #PROBE_INTERVAL}, still asks the pool and so finds out when the
 * database is back. A pool that is merely exhausted for background work (busy, not unreachable) is not affected:
 * its timeout carries no connection-exception state.
 *
 * <p>Every user of the data source goes through this gate, background work included; those retry with their own
 * backoff (refresh scheduler, outcome recorder, event processors).
 *
 * <p>A database that hangs rather than refuses (a paused server, a network black hole) is a different failure: the
 * connections the pool already holds stay open and a read on them waits for ever. So a thread serving a request gets
 * its connections with a JDBC network timeout of what is left of its {@link RequestDatabaseBudget}, and the time it
 * holds them is taken from that budget: a read that hears nothing until the budget is used up fails with a connection
 * exception (a 503 on the API) and the pool discards the connection (and restores a healthy one's timeout when it
 * comes back); after that, the request's next touch fails at once. Other threads keep waiting, as background work
 * should: a refresh whose IdP answer is not yet persisted must not give up on a database that is only slow. Those
 * waiting threads keep their connections, so against a paused database the pool runs dry; a request that waited the
 * pool's whole timeout, or whose connection used its whole budget, therefore also marks the database unreachable:
 * a request holds a connection for its budget at most, so the connections are held by work waiting on a database
 * that does not answer.
 */
public final class FailFastDataSource extends DelegatingDataSource implements AutoCloseable {

    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(FailFastDataSource.class);

    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean unreachable;
    private volatile long nextProbeNanos;

    public FailFastDataSource(DataSource target) {
        super(target);
    }

    @FunctionalInterface
    private interface ConnectionSource {
        Connection open() throws SQLException;
    }

    @Override
    public Connection getConnection() throws SQLException {
        RequestDatabaseBudget budget = RequestDatabaseBudget.current();
        return budget == null ? obtain(() -> obtainTargetDataSource().getConnection())
                : budgeted(budget, () -> obtainTargetDataSource().getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        RequestDatabaseBudget budget = RequestDatabaseBudget.current();
        return budget == null ? obtain(() -> obtainTargetDataSource().getConnection(username, password))
                : budgeted(budget, () -> obtainTargetDataSource().getConnection(username, password));
    }

    private Connection budgeted(RequestDatabaseBudget budget, ConnectionSource source) throws SQLException {
        long since = budget.now();
        if (budget.remainingMillis(since) == 0) {
            throw usedUp(budget);
        }
        Connection connection;
        try {
            connection = obtain(source, true);
        } catch (SQLException | RuntimeException e) {
            budget.spendSince(since);
            throw e;
        }
        try {
            int remaining = budget.remainingMillis(since);
            if (remaining == 0) {
                throw usedUp(budget);
            }
            // pgjdbc applies it as the socket's read timeout; the executor is not used.
            connection.setNetworkTimeout(Runnable::run, remaining);
        } catch (SQLException | RuntimeException e) {
            budget.spendSince(since);
            connection.close();
            throw e;
        }
        return BudgetedConnection.wrap(this, connection, budget, since);
    }

    private static SQLTimeoutException usedUp(RequestDatabaseBudget budget) {
        return new SQLTimeoutException("The request spent " + budget.budget().toMillis()
                + " ms on the database (broker.database.request-timeout); failing it", "57014");
    }

    /**
     * Takes the time from taking the connection to closing it from the request's budget. A connection that used the
     * budget up waited for an answer until its network timeout: the database hangs, so the next callers fail fast
     * instead of each waiting out a budget of their own.
     */
    private static final class BudgetedConnection implements InvocationHandler {
        private final FailFastDataSource owner;
        private final Connection target;
        private final RequestDatabaseBudget budget;
        private final long since;
        private boolean closed;

        private BudgetedConnection(FailFastDataSource owner, Connection target, RequestDatabaseBudget budget, long since) {
            this.owner = owner;
            this.target = target;
            this.budget = budget;
            this.since = since;
        }

        static Connection wrap(FailFastDataSource owner, Connection target, RequestDatabaseBudget budget, long since) {
            return (Connection) Proxy.newProxyInstance(FailFastDataSource.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, new BudgetedConnection(owner, target, budget, since));
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close" -> {
                    if (!closed) {
                        closed = true;
                        boolean usedUp = budget.remainingMillis(since) == 0;
                        budget.spendSince(since);
                        if (usedUp) {
                            owner.markUnreachable();
                        }
                    }
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "BudgetedConnection[" + target + "]";
                }
                default -> {
                    // unwrap and isWrapperFor go to the pool's connection, which answers for itself and the driver's
                }
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** Closes the pool behind it: Spring infers the destroy method from the exposed bean, which is this one. */
    @Override
    public void close() throws Exception {
        if (obtainTargetDataSource() instanceof AutoCloseable pool) {
            pool.close();
        }
    }

    /** True while the last attempt to reach the database failed for want of a connection to it. */
    public boolean unreachable() {
        return unreachable;
    }

    private Connection obtain(ConnectionSource source) throws SQLException {
        return obtain(source, false);
    }

    /**
     * @param forRequest a request's wait: one that timed out on the pool means the connections are held for seconds
     *                   (a request holds one for its budget at most), by work that waits on a database that hangs
     */
    private Connection obtain(ConnectionSource source, boolean forRequest) throws SQLException {
        if (!unreachable) {
            try {
                return source.open();
            } catch (SQLException e) {
                if (connectionFailure(e) || (forRequest && e instanceof SQLTransientConnectionException)) {
                    markUnreachable();
                }
                throw e;
            }
        }
        if (System.nanoTime() - nextProbeNanos < 0 || !probing.compareAndSet(false, true)) {
            throw new SQLTransientConnectionException("The database is unreachable; failing fast until it answers again", "08001");
        }
        try {
            Connection connection = source.open();
            unreachable = false;
            log.info("The database is reachable again");
            return connection;
        } catch (SQLException e) {
            nextProbeNanos = System.nanoTime() + PROBE_INTERVAL.toNanos();
            throw e;
        } finally {
            probing.set(false);
        }
    }

    private void markUnreachable() {
        nextProbeNanos = System.nanoTime() + PROBE_INTERVAL.toNanos();
        if (!unreachable) {
            unreachable = true;
            log.warn("The database is unreachable: failing fast, probing every {} ms until it answers", PROBE_INTERVAL.toMillis());
        }
    }

    /** A connection exception or an administrator shutdown, anywhere in the cause chain. */
    static boolean connectionFailure(Throwable failure) {
        int depth = 0;
        for (Throwable cause = failure; cause != null && depth < 10; cause = cause.getCause(), depth++) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }
}
