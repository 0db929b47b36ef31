package dev.tokenbroker.api.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbroker.api.issuer.VerifiedTokenCache;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.connectors.ConnectorRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link TokenFetchFastPath} just ahead of Spring Security's filter chain, behind the request-body limit and
 * Boot's {@code http.server.requests} observation. {@code broker.token-api.fast-path=false} turns it off: every
 * token fetch then takes the full chain (for comparisons; the answers are the same).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
@ConditionalOnBooleanProperty(name = "broker.token-api.fast-path", matchIfMissing = true)
class TokenFetchFastPathConfiguration {

    @Bean
    FilterRegistrationBean<TokenFetchFastPath> tokenFetchFastPath(VerifiedTokenCache apiTokens, CallingClient callingClient,
                                                                  ConnectorRegistry connectors, AccessTokenRetrieval retrieval,
                                                                  ObjectMapper json, Clock clock) {
        FilterRegistrationBean<TokenFetchFastPath> registration = new FilterRegistrationBean<>(
                new TokenFetchFastPath(apiTokens, callingClient, connectors, retrieval, json, clock));
        registration.addUrlPatterns("/v1/users/*");
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }
}
