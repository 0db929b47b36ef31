package dev.tokenbroker.api.database;

import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Puts every {@link DataSource} of the application behind a {@link FailFastDataSource}, external or embedded, and
 * marks request threads so their database reads are bounded ({@code broker.database.request-timeout}).
 */
@Configuration(proxyBeanMethods = false)
public class FailFastDataSourceConfiguration {

    @Bean
    static BeanPostProcessor failFastDataSourceWrapper(Environment environment) {
        // Bound here, not injected: a BeanPostProcessor is created before configuration properties beans.
        DatabaseProperties settings = Binder.get(environment).bindOrCreate(DatabaseProperties.PREFIX, DatabaseProperties.class);
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof DataSource dataSource && !(bean instanceof FailFastDataSource)
                        ? new FailFastDataSource(dataSource, settings.requestTimeout()) : bean;
            }
        };
    }

    @Bean
    FilterRegistrationBean<RequestDatabaseTimeoutFilter> requestDatabaseTimeoutFilter() {
        FilterRegistrationBean<RequestDatabaseTimeoutFilter> registration =
                new FilterRegistrationBean<>(new RequestDatabaseTimeoutFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
