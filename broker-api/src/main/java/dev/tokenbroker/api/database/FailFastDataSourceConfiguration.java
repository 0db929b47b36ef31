package dev.tokenbroker.api.database;

import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Puts every {@link DataSource} of the application behind a {@link FailFastDataSource}, external or embedded, and
 * gives each request a budget of time on the database ({@code broker.database.request-timeout}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProperties.class)
public class FailFastDataSourceConfiguration {

    @Bean
    static BeanPostProcessor failFastDataSourceWrapper() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof DataSource dataSource && !(bean instanceof FailFastDataSource)
                        ? new FailFastDataSource(dataSource) : bean;
            }
        };
    }

    @Bean
    FilterRegistrationBean<RequestDatabaseBudgetFilter> requestDatabaseBudgetFilter(DatabaseProperties settings) {
        FilterRegistrationBean<RequestDatabaseBudgetFilter> registration =
                new FilterRegistrationBean<>(new RequestDatabaseBudgetFilter(settings.requestTimeout()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
