package dev.tokenbroker.connectors;

import java.util.List;

/**
 * Creates connectors of one type from configuration. Factories are registered explicitly (as beans in the
 * application, or by passing them to {@link ConnectorRegistry}); nothing is discovered from the classpath.
 *
 * <p>A factory declares the settings it understands besides the common ones
 * ({@link ConnectorSettings#COMMON_PROPERTIES}); the registry rejects any other key so that typos fail
 * start-up instead of being ignored.
 */
public interface ConnectorFactory {

    /** The value of {@code broker.connectors.<id>.type}, e.g. {@code oidc}, {@code github}. */
    String type();

    /** For humans: "GitHub", "Generic OpenID Connect". */
    String displayName();

    /** Settings specific to this type, with descriptions. */
    List<ConfigurationProperty> configurationProperties();

    /**
     * Creates the connector. Must not make network calls: start-up must not depend on the IdP being up.
     *
     * @throws InvalidConnectorConfigurationException naming the setting and the fix
     */
    Connector create(ConnectorSettings settings);
}
