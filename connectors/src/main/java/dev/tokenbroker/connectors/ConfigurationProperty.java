package dev.tokenbroker.connectors;

import java.util.Objects;
import java.util.Optional;

/**
 * A setting a {@link ConnectorFactory} understands under {@code broker.connectors.<id>.<key>}; used for
 * validation (unknown keys are typos) and for documentation.
 *
 * @param key          kebab-case key below the connector id, e.g. {@code token-uri}
 * @param description  what it is and where to find the value
 * @param required     start-up fails without it
 * @param defaultValue the value used when absent
 */
public record ConfigurationProperty(String key, String description, boolean required, Optional<String> defaultValue) {

    public ConfigurationProperty {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(defaultValue, "defaultValue");
    }

    public static ConfigurationProperty required(String key, String description) {
        return new ConfigurationProperty(key, description, true, Optional.empty());
    }

    public static ConfigurationProperty optional(String key, String description) {
        return new ConfigurationProperty(key, description, false, Optional.empty());
    }

    public static ConfigurationProperty withDefault(String key, String description, String defaultValue) {
        return new ConfigurationProperty(key, description, false, Optional.of(defaultValue));
    }
}
