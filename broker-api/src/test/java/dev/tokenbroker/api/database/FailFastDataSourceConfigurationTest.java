package dev.tokenbroker.api.database;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class FailFastDataSourceConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    static class OnePool {
        @Bean
        DataSource dataSource() {
            return new FailFastDataSourceTest.Pool();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(OnePool.class, FailFastDataSourceConfiguration.class);

    @Test
    void everyDataSourceIsWrappedAndRequestsButOperatorWorkGetTheConfiguredBudget() {
        runner.withPropertyValues("broker.database.request-timeout=750ms").run(context -> {
            assertThat(context.getBean(DataSource.class)).isInstanceOf(FailFastDataSource.class);
            @SuppressWarnings("unchecked")
            FilterRegistrationBean<RequestDatabaseBudgetFilter> registration = context.getBean(FilterRegistrationBean.class);
            assertThat(budgetSeenBy(registration.getFilter(), "/v1/users/u/connections/demo/token")).isEqualTo(Duration.ofMillis(750));
            assertThat(budgetSeenBy(registration.getFilter(), "/oauth2/token")).isEqualTo(Duration.ofMillis(750));
            assertThat(budgetSeenBy(registration.getFilter(), "/v1/admin/kek/rotate")).isNull();
            assertThat(budgetSeenBy(registration.getFilter(), "/v1/audit/verify")).isNull();
            assertThat(RequestDatabaseBudget.current()).as("ended with the request").isNull();
        });
    }

    @Test
    void theDefaultIsFiveSeconds() {
        runner.run(context -> assertThat(context.getBean(DatabaseProperties.class).requestTimeout())
                .isEqualTo(Duration.ofSeconds(5)));
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

    private static Duration budgetSeenBy(RequestDatabaseBudgetFilter filter, String path) throws Exception {
        List<Duration> seen = new ArrayList<>();
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> {
            assertThat(((HttpServletRequest) req).getRequestURI()).isEqualTo(path);
            RequestDatabaseBudget budget = RequestDatabaseBudget.current();
            seen.add(budget == null ? null : budget.budget());
        });
        return seen.get(0);
    }
}
