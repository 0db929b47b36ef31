package dev.tokenbroker.api.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class FailFastDataSourceConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    static class OnePool {
        final FailFastDataSourceTest.Pool pool = new FailFastDataSourceTest.Pool();

        @Bean
        DataSource dataSource() {
            return pool;
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(OnePool.class, FailFastDataSourceConfiguration.class);

    @Test
    void everyDataSourceIsWrappedAndRequestConnectionsGetTheConfiguredTimeout() {
        runner.withPropertyValues("broker.database.request-timeout=750ms").run(context -> {
            DataSource dataSource = context.getBean(DataSource.class);
            assertThat(dataSource).isInstanceOf(FailFastDataSource.class);
            FailFastDataSourceTest.Pool pool = context.getBean(OnePool.class).pool;
            FailFastDataSource.enterRequest();
            try (Connection ignored = dataSource.getConnection()) {
                assertThat(pool.calls).containsExactly("setNetworkTimeout 750");
            } finally {
                FailFastDataSource.exitRequest();
            }
        });
    }

    @Test
    void theDefaultIsFiveSeconds() {
        runner.run(context -> {
            FailFastDataSourceTest.Pool pool = context.getBean(OnePool.class).pool;
            FailFastDataSource.enterRequest();
            try (Connection ignored = context.getBean(DataSource.class).getConnection()) {
                assertThat(pool.calls).containsExactly("setNetworkTimeout 5000");
            } finally {
                FailFastDataSource.exitRequest();
            }
        });
    }

    @Test
    void anOutOfRangeTimeoutStopsTheStartWithAMessageThatNamesTheFix() {
        runner.withPropertyValues("broker.database.request-timeout=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("broker.database.request-timeout=PT0S is out of range")
                    .hasMessageContaining("from 100ms to 10m");
        });
    }
}
