package dev.tokenbroker.api.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class FailFastDataSourceTest {

    /** A pool stand-in: either times out the way Hikari does (with or without a connection exception) or answers. */
    static final class Pool implements DataSource {
        volatile SQLException failure;
        final AtomicInteger asked = new AtomicInteger();
        final java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Connection getConnection() throws SQLException {
            asked.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        calls.add(method.getName() + (args == null ? "" : " " + args[args.length - 1]));
                        return null;
                    });
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            return null;
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    static SQLException unreachable() {
        return new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request timed out after 5000ms",
                "08001", new SQLException("Connection to 127.0.0.1:5432 refused", "08001"));
    }

    @Test
    void afterTheDatabaseWasFoundUnreachableCallersFailAtOnceUntilAProbeSucceeds() throws Exception {
        Pool pool = new Pool();
        FailFastDataSource dataSource = new FailFastDataSource(pool);
        pool.failure = unreachable();

        assertThatThrownBy(dataSource::getConnection).isSameAs(pool.failure);
        assertThat(dataSource.unreachable()).isTrue();
        // within the probe interval nobody waits for the pool
        assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("failing fast");
        assertThat(pool.asked).hasValue(1);

        pool.failure = null;
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> dataSource.getConnection() != null);
        assertThat(dataSource.unreachable()).isFalse();
        assertThat(dataSource.getConnection()).isNotNull();
    }

    @Test
    void aRequestThatWaitedThePoolsWholeTimeoutMarksTheDatabaseUnreachable() {
        Pool pool = new Pool();
        FailFastDataSource dataSource = new FailFastDataSource(pool);
        pool.failure = new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request timed out after 5000ms");
        RequestDatabaseBudget.begin(Duration.ofSeconds(5));
        try {
            assertThatThrownBy(dataSource::getConnection).isSameAs(pool.failure);
        } finally {
            RequestDatabaseBudget.end();
        }
        assertThat(dataSource.unreachable()).as("every connection held for seconds: by work waiting on a hung database").isTrue();
        assertThatThrownBy(dataSource::getConnection).hasMessageContaining("failing fast");
        assertThat(pool.asked).hasValue(1);
    }

    @Test
    void anExhaustedPoolIsNotAnUnreachableDatabaseForBackgroundWork() {
        Pool pool = new Pool();
        FailFastDataSource dataSource = new FailFastDataSource(pool);
        pool.failure = new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request timed out after 5000ms");

        assertThatThrownBy(dataSource::getConnection).isSameAs(pool.failure);
        assertThatThrownBy(dataSource::getConnection).isSameAs(pool.failure);
        assertThat(dataSource.unreachable()).isFalse();
        assertThat(pool.asked).hasValue(2);
    }

    @Test
    void aRequestSpendsItsBudgetOnlyWhileItHoldsConnectionsAndFailsAtOnceWhenItIsUsedUp() throws Exception {
        Pool pool = new Pool();
        FailFastDataSource dataSource = new FailFastDataSource(pool);
        AtomicLong now = new AtomicLong();

        dataSource.getConnection();
        assertThat(pool.calls).as("no budget outside a request").isEmpty();

        assertThat(RequestDatabaseBudget.begin(Duration.ofMillis(5000), now::get)).isTrue();
        try {
            assertThat(RequestDatabaseBudget.begin(Duration.ofMillis(1))).as("a nested dispatch keeps the outer budget").isFalse();
            try (Connection first = dataSource.getConnection()) {
                assertThat(pool.calls).containsExactly("setNetworkTimeout 5000");
                now.addAndGet(Duration.ofMillis(1200).toNanos()); // held 1.2 s
            }
            now.addAndGet(Duration.ofSeconds(30).toNanos()); // 30 s elsewhere (an IdP call): not the database's
            pool.calls.clear();
            try (Connection second = dataSource.getConnection()) {
                assertThat(pool.calls).containsExactly("setNetworkTimeout 3800");
                now.addAndGet(Duration.ofMillis(3800).toNanos()); // a read that waited out the rest
            }
            assertThat(dataSource.unreachable()).as("a connection that used the budget up: the database hangs").isTrue();
            int asked = pool.asked.get();
            assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLTimeoutException.class)
                    .hasMessageContaining("broker.database.request-timeout");
            assertThat(pool.asked).as("the pool is not even asked").hasValue(asked);
        } finally {
            RequestDatabaseBudget.end();
        }
        assertThat(RequestDatabaseBudget.current()).as("the budget ends with the request").isNull();
    }

    @Test
    void aConnectionReturnedWithBudgetLeftLeavesTheDatabaseReachable() throws Exception {
        Pool pool = new Pool();
        FailFastDataSource dataSource = new FailFastDataSource(pool);
        AtomicLong now = new AtomicLong();
        RequestDatabaseBudget.begin(Duration.ofMillis(5000), now::get);
        try {
            try (Connection connection = dataSource.getConnection()) {
                now.addAndGet(Duration.ofMillis(4999).toNanos());
            }
            assertThat(dataSource.unreachable()).isFalse();
        } finally {
            RequestDatabaseBudget.end();
        }
        pool.calls.clear();
        dataSource.getConnection();
        assertThat(pool.calls).as("no budget outside a request").isEmpty();
    }
}
