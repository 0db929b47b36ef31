package dev.tokenbroker.api.issuer;

import dev.tokenbroker.core.crypto.KekRing;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.transaction.support.TransactionTemplate;

/** Wires the client-credentials issuer: client registrations, secrets, signing keys, token format. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({IssuerProperties.class, ApiClientProperties.class})
class IssuerConfiguration {

    @Bean
    PasswordEncoder apiClientSecretEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    ApiClientStore apiClientStore(JdbcTemplate jdbc, Clock clock, IssuerProperties properties) {
        return new ApiClientStore(jdbc, clock, properties.clientCacheTtl());
    }

    @Bean
    ApiClientSecrets apiClientSecrets(ApiClientStore store, PasswordEncoder encoder) {
        return new ApiClientSecrets(store, encoder);
    }

    @Bean
    RegisteredClientRepository registeredClientRepository(ApiClientStore store, IssuerProperties properties) {
        return new ApiClientRegisteredClientRepository(store, properties.accessTokenTtl());
    }

    @Bean
    OAuth2AuthorizationService authorizationService() {
        return new StatelessAuthorizationService();
    }

    @Bean
    ApiClientBootstrap apiClientBootstrap(ApiClientProperties properties, ApiClientStore store,
                                          ApiClientSecrets secrets, Clock clock) {
        properties.validate();
        return new ApiClientBootstrap(properties, store, secrets, clock);
    }

    @Bean
    SigningKeyStore signingKeyStore(JdbcTemplate jdbc, TransactionTemplate transactions,
                                    KekRing keks, Clock clock,
                                    IssuerProperties properties) {
        return new SigningKeyStore(jdbc, transactions, keks, clock, properties.retiredKeyRetention());
    }

    /** Also the {@code JWKSource} Spring Authorization Server signs with. */
    @Bean
    SigningKeyRing signingKeyRing(SigningKeyStore store, Clock clock, IssuerProperties properties) {
        return new SigningKeyRing(store, clock, properties.keyReloadInterval(), properties.keyCheckInterval());
    }

    /** Names the signing key in the header, so verifiers pick the right one of several during rotation. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> signingKeyIdCustomizer(SigningKeyRing ring) {
        return context -> {
            context.getJwsHeader().keyId(ring.activeKeyId());
            context.getClaims().claim("client_id", context.getRegisteredClient().getClientId());
        };
    }

    @Bean
    VerifiedTokenCache apiTokenDecoder(SigningKeyRing ring, Clock clock) {
        return new VerifiedTokenCache(OAuth2AuthorizationServerConfiguration.jwtDecoder(ring), ring::trusts, clock, 10_000);
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
        return AuthorizationServerSettings.builder().build();
    }
}
