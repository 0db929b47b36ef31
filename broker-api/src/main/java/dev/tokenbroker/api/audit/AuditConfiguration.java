package dev.tokenbroker.api.audit;

import dev.tokenbroker.connectors.ConnectorRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The audit API's readers. */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    @Bean
    EventFeed eventFeed(DataSource dataSource, @Qualifier("eventSerializer") Serializer eventSerializer,
                        ConnectorRegistry connectors, Clock clock,
                        @Value("${broker.audit.gap-timeout:PT10S}") Duration gapTimeout) {
        return new EventFeed(dataSource, eventSerializer, connectors, clock, gapTimeout);
    }

    @Bean
    TokenSetStates tokenSetStates(DataSource dataSource) {
        return new TokenSetStates(dataSource);
    }

    @Bean
    HandOutReport handOutReport(DataSource dataSource) {
        return new HandOutReport(dataSource);
    }
}
