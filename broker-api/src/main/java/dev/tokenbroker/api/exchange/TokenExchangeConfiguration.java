package dev.tokenbroker.api.exchange;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbroker.api.issuer.ApiClientStore;
import dev.tokenbroker.api.tokens.AccessTokenRetrieval;
import dev.tokenbroker.connectors.ConnectorRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires token exchange (RFC 8693) into the broker's token endpoint: trusted issuers, validator, grant. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TokenExchangeProperties.class)
class TokenExchangeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TokenExchangeConfiguration.class);

    @Bean
    SubjectTokenValidator subjectTokenValidator(TokenExchangeProperties properties,
                                                ObjectProvider<TrustedIssuerContribution> contributions, Clock clock) {
        Map<String, TokenExchangeProperties.Issuer> issuers = properties.validatedIssuers(
                contributions.orderedStream().toList());
        List<TrustedIssuer> trusted = issuers.entrySet().stream()
                .map(entry -> new TrustedIssuer(entry.getKey(), entry.getValue(), properties.clockSkew().toSeconds(), clock))
                .toList();
        log.info("Token exchange: trusted issuers {}", issuers.isEmpty()
                ? "none (configure broker.token-exchange.issuers.<id>.* to enable it)"
                : trusted.stream().map(issuer -> issuer.id() + "=" + issuer.issuer()).sorted().toList());
        return new SubjectTokenValidator(trusted, properties.clockSkew(), clock);
    }

    @Bean
    TokenExchangeEndpoint tokenExchangeEndpoint(SubjectTokenValidator subjectTokens, ApiClientStore clients,
                                                ConnectorRegistry connectors, AccessTokenRetrieval retrieval,
                                                ObjectMapper json, Clock clock) {
        return new TokenExchangeEndpoint(
                new UpstreamTokenExchangeAuthenticationConverter(),
                new UpstreamTokenExchangeAuthenticationProvider(subjectTokens, clients, connectors, retrieval),
                new UpstreamTokenExchangeResponseHandler(json, clock),
                new TokenEndpointErrorResponseHandler(json));
    }
}
