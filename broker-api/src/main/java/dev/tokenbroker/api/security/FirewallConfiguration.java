package dev.tokenbroker.api.security;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's default firewall with its default rules, the character checks done by {@link ControlFreeText}
 * instead of a regular expression per header read.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class FirewallConfiguration {

    @Bean
    WebSecurityCustomizer controlFreeTextFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        ControlFreeText controlFree = new ControlFreeText();
        firewall.setAllowedHeaderNames(controlFree);
        firewall.setAllowedHeaderValues(controlFree);
        firewall.setAllowedParameterNames(controlFree);
        return web -> web.httpFirewall(firewall);
    }
}
