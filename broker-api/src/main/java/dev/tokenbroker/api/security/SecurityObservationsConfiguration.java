package dev.tokenbroker.api.security;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.observation.SecurityObservationSettings;

/**
 * Spring Security's Micrometer observations (one per filter of the chain, plus authentication and
 * authorization) cost about a fifth of the token fetch's CPU (benchmarks/token-fetch/RESULTS.md) and
 * tell little for a stateless bearer-token API; they are off unless
 * {@code broker.observability.security-observations=true}. HTTP server metrics
 * ({@code http.server.requests}) are not affected.
 */
@Configuration(proxyBeanMethods = false)
class SecurityObservationsConfiguration {

    @Bean
    @ConditionalOnProperty(name = "broker.observability.security-observations", havingValue = "false", matchIfMissing = true)
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }
}
