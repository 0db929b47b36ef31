package dev.tokenbroker.api.demo;

import dev.tokenbroker.api.connectors.ConnectorSettingsContribution;
import dev.tokenbroker.api.exchange.TokenExchangeProperties;
import dev.tokenbroker.api.exchange.TrustedIssuerContribution;
import dev.tokenbroker.api.issuer.ApiClient;
import dev.tokenbroker.api.issuer.ApiClientSecrets;
import dev.tokenbroker.api.issuer.ApiClientStore;
import dev.tokenbroker.api.issuer.ApiScope;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The offline demo of the README quick start: connector {@code demo} backed by the in-process
 * {@link DemoIdentityProvider}, and API client {@code demo-app} allowed to use it, returning the
 * browser to the broker's own {@code /demo/linked} page.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnDemoMode.class)
@EnableConfigurationProperties(DemoProperties.class)
class DemoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DemoConfiguration.class);

    /** Listens on 127.0.0.1 only, unless server.address is set. */
    @Bean
    DemoLoopbackCustomizer demoLoopbackCustomizer(Environment environment) {
        return new DemoLoopbackCustomizer(environment);
    }

    @Bean(destroyMethod = "close")
    DemoIdentityProvider demoIdentityProvider(DemoProperties properties) {
        return new DemoIdentityProvider(properties);
    }

    @Bean
    ConnectorSettingsContribution demoConnector(DemoIdentityProvider idp) {
        String prefix = "broker.connectors." + DemoProperties.CONNECTOR_ID + ".";
        return () -> Map.of(
                prefix + "type", "oidc",
                prefix + "issuer", idp.issuer().toString(),
                prefix + "client-id", "token-broker-demo",
                // The demo IdP accepts any client secret; this one only exists on 127.0.0.1.
                prefix + "client-secret", "demo-idp-client-secret",
                prefix + "scopes", "openid profile offline_access");
    }

    /**
     * The demo app's own login: issuer {@code <demo IdP>/app} of the same mock server, trusted for token
     * exchange with audience {@value DemoProperties#APP_AUDIENCE}, so a user token from it can be
     * exchanged for that user's {@code demo} connector token (see broker-api/README.md).
     */
    @Bean
    TrustedIssuerContribution demoAppIssuer(DemoIdentityProvider idp) {
        return () -> Map.of(DemoProperties.APP_ISSUER_ID, new TokenExchangeProperties.Issuer(idp.appIssuer(), null,
                DemoProperties.APP_AUDIENCE, "sub", null, null, null));
    }

    /** Registers the demo client once the HTTP port is known (its return URL points at this broker). */
    @Bean
    ApplicationListener<WebServerInitializedEvent> demoClient(DemoProperties properties, ApiClientStore store,
                                                              ApiClientSecrets secrets, Clock clock,
                                                              DemoIdentityProvider idp) {
        return event -> {
            if (event.getApplicationContext().getServerNamespace() != null) {
                return;
            }
            int port = event.getWebServer().getPort();
            ApiClient existing = store.find(DemoProperties.CLIENT_ID).orElse(null);
            store.save(new ApiClient(DemoProperties.CLIENT_ID, "Demo app",
                    Set.of(ApiScope.CONNECTIONS_WRITE, ApiScope.TOKENS_READ, ApiScope.TOKENS_EXCHANGE), Set.of(DemoProperties.CONNECTOR_ID),
                    Set.of(URI.create("http://localhost:" + port + "/demo/linked"),
                            URI.create("http://127.0.0.1:" + port + "/demo/linked")),
                    existing == null ? clock.instant() : existing.createdAt(), false));
            secrets.ensure(DemoProperties.CLIENT_ID, properties.clientSecret());
            log.warn("DEMO MODE: connector 'demo' signs in anyone through the demo IdP at {}; API client '{}' "
                    + "has the documented demo secret. Set broker.demo.enabled=false (or use an external database) "
                    + "for real use.", idp.issuer(), DemoProperties.CLIENT_ID);
        };
    }
}
