package dev.tokenbroker.api.security;

import dev.tokenbroker.api.issuer.ApiClientStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The calling client's registration lookup, in every application (the controllers need it to be created), also
 * without a web server (the {@code rebuild} command), where {@link ApiSecurityConfiguration} does not load.
 */
@Configuration(proxyBeanMethods = false)
class CallingClientConfiguration {

    @Bean
    CallingClient callingClient(ApiClientStore store) {
        return new CallingClient(store);
    }
}
