package dev.tokenbroker.api.connectors;

import dev.tokenbroker.connectors.ConnectorFactory;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.connectors.github.GitHubConnectorFactory;
import dev.tokenbroker.connectors.google.GoogleConnectorFactory;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorFactory;
import dev.tokenbroker.connectors.oidc.OidcConnectorFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Connectors come from {@code broker.connectors.<id>.*} and the connector types offered here as
 * explicit beans. A connector jar on the classpath does nothing by itself: third-party factories
 * are loaded only when named in {@code broker.connector-factories} (an explicit opt-in, for the
 * same reason Tink stopped discovering KMS clients on the classpath).
 */
@Configuration(proxyBeanMethods = false)
class ConnectorConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ConnectorConfiguration.class);

    @Bean
    OAuth2ConnectorFactory oauth2ConnectorFactory(Clock clock) {
        return new OAuth2ConnectorFactory(clock);
    }

    @Bean
    OidcConnectorFactory oidcConnectorFactory(Clock clock) {
        return new OidcConnectorFactory(clock);
    }

    @Bean
    GitHubConnectorFactory gitHubConnectorFactory(Clock clock) {
        return new GitHubConnectorFactory(clock);
    }

    @Bean
    GoogleConnectorFactory googleConnectorFactory(Clock clock) {
        return new GoogleConnectorFactory(clock);
    }

    @Bean
    ConnectorRegistry connectorRegistry(Environment environment, List<ConnectorFactory> factoryBeans,
                                         List<ConnectorSettingsContribution> contributions) {
        List<ConnectorFactory> factories = new ArrayList<>(factoryBeans);
        for (String className : Binder.get(environment).bind("broker.connector-factories", Bindable.listOf(String.class))
                .orElse(List.of())) {
            factories.add(loadFactory(className));
        }
        Map<String, String> flat = new LinkedHashMap<>();
        contributions.forEach(contribution -> flat.putAll(contribution.settings()));
        Binder.get(environment).bind("broker.connectors", Bindable.mapOf(String.class, String.class))
                .orElse(Map.of())
                .forEach((key, value) -> flat.put("broker.connectors." + key, value));
        ConnectorRegistry registry = ConnectorRegistry.fromProperties(flat, factories);
        log.info("Connectors: {}", registry.ids().isEmpty() ? "none configured (see README: Adding an identity provider)"
                : String.join(", ", registry.ids()));
        return registry;
    }

    private static ConnectorFactory loadFactory(String className) {
        try {
            Object factory = Class.forName(className).getDeclaredConstructor().newInstance();
            if (!(factory instanceof ConnectorFactory connectorFactory)) {
                throw new IllegalStateException("broker.connector-factories: " + className
                        + " does not implement dev.tokenbroker.connectors.ConnectorFactory");
            }
            log.warn("Loaded third-party connector factory {} (type '{}') because broker.connector-factories names it",
                    className, connectorFactory.type());
            return connectorFactory;
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("broker.connector-factories: cannot load " + className
                    + ": put its jar on the classpath (e.g. -Dloader.path) and give it a public no-argument constructor", e);
        }
    }
}
