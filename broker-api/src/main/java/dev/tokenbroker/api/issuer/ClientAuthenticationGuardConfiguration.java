package dev.tokenbroker.api.issuer;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;

/** Brute-force and CPU limits of the token endpoint; see {@link ClientAuthenticationGuard}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ClientAuthenticationLimitProperties.class)
class ClientAuthenticationGuardConfiguration {

    @Bean
    ClientAuthenticationGuard clientAuthenticationGuard(ClientAuthenticationLimitProperties limits) {
        return new ClientAuthenticationGuard(limits);
    }

    /** After the request body limit, before Spring Security (order -100). */
    @Bean
    FilterRegistrationBean<ClientAuthenticationGuardFilter> clientAuthenticationGuardFilter(ClientAuthenticationGuard guard,
                                                                                           AuthorizationServerSettings settings) {
        FilterRegistrationBean<ClientAuthenticationGuardFilter> registration =
                new FilterRegistrationBean<>(new ClientAuthenticationGuardFilter(guard, settings.getTokenEndpoint()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return registration;
    }
}
