package dev.tokenbroker.api.audit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.tokenbroker.projections.chain.EventChainConfiguration;
import dev.tokenbroker.projections.chain.EventChainSettings;

/** The tamper-evident history (hash chain, signed checkpoints, verification) with the application's settings. */
@Configuration(proxyBeanMethods = false)
@Import(EventChainConfiguration.class)
class AuditChainConfiguration {

    @Bean
    EventChainSettings eventChainSettings(AuditChainProperties properties) {
        return properties.settings();
    }
}
