package dev.tokenbroker.api.database;

import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Puts every {@link DataSource} of the application behind a {@link FailFastDataSource}, external or embedded. */
@Configuration(proxyBeanMethods = false)
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
}
