package dev.tokenbroker.connectors;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Defaults for a well-known IdP that a generic connector type covers: {@code preset: gitlab} instead of
 * typing the issuer and scopes. Explicit settings win over preset defaults. Default values may contain
 * {@code {key}} placeholders filled from the preset's own settings (Entra ID's {@code {tenant}}).
 *
 * @param name       value of {@code broker.connectors.<id>.preset}
 * @param type       the connector type the preset configures
 * @param defaults   settings by key, applied when absent
 * @param properties settings the preset adds (placeholders), with descriptions
 */
public record ConnectorPreset(String name, String displayName, String type, Map<String, String> defaults,
                              List<ConfigurationProperty> properties) {
    public ConnectorPreset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(type, "type");
        defaults = Map.copyOf(defaults);
        properties = List.copyOf(properties);
    }
}
