package dev.tokenbroker.connectors;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The validated, immutable configuration of one connector: the settings every connector has, typed, plus
 * the type-specific settings as strings with typed accessors that fail with a message naming the
 * setting and the fix.
 *
 * <p><b>Security:</b> {@link #toString()} redacts the client secret.
 *
 * @param connectorId  the {@code <id>} in {@code broker.connectors.<id>.*}
 * @param type         the factory type, e.g. {@code oidc}
 * @param clientId     the broker's client id at the IdP
 * @param clientSecret the broker's client secret at the IdP
 * @param scopes       the configured default scope, empty to use the connector's default
 * @param timeouts     connect and read timeouts for every call
 * @param properties   all other settings, by kebab-case key below the connector id
 */
public record ConnectorSettings(
        String connectorId,
        String type,
        ClientID clientId,
        Secret clientSecret,
        Optional<Scope> scopes,
        ConnectorTimeouts timeouts,
        Map<String, String> properties) {

    /** Prefix of all connector settings. */
    public static final String PREFIX = "broker.connectors.";

    /** Settings understood for every connector type; factories declare the rest. */
    public static final List<ConfigurationProperty> COMMON_PROPERTIES = List.of(
            ConfigurationProperty.optional("type", "Connector type: oauth2, oidc, github, google, or a type a Java connector adds. Not needed with 'preset'."),
            ConfigurationProperty.optional("preset", "A preset that fills type, issuer/endpoints and scopes: " + String.join(", ", ConnectorPresets.names()) + "."),
            ConfigurationProperty.required("client-id", "The client id the IdP assigned to the broker's registration."),
            ConfigurationProperty.required("client-secret", "The client secret of that registration. Use an environment variable or secret store, not a file in version control."),
            ConfigurationProperty.optional("scopes", "Default scopes to request, separated by commas or spaces."),
            ConfigurationProperty.withDefault("connect-timeout", "TCP connect timeout for every call to the IdP, e.g. 2s or 500ms; at most 1m.", "5s"),
            ConfigurationProperty.withDefault("read-timeout", "Read timeout for every call to the IdP, e.g. 10s; at most 1m.", "10s"));

    public ConnectorSettings {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(timeouts, "timeouts");
        properties = Map.copyOf(properties);
    }

    /** Settings for tests and for Java code that configures a connector without property maps. */
    public static ConnectorSettings of(String connectorId, String type, String clientId, String clientSecret,
                                       ConnectorTimeouts timeouts, Map<String, String> properties) {
        return new ConnectorSettings(connectorId, type, new ClientID(clientId), new Secret(clientSecret),
                Optional.empty(), timeouts, properties);
    }

    public ConnectorSettings withScopes(Scope scope) {
        return new ConnectorSettings(connectorId, type, clientId, clientSecret, Optional.of(scope), timeouts, properties);
    }

    public Scope scopesOr(String defaultScopes) {
        return scopes.orElseGet(() -> parseScope(defaultScopes));
    }

    public Optional<String> property(String key) {
        return Optional.ofNullable(properties.get(key)).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String requiredProperty(String key, String fix) {
        return property(key).orElseThrow(() -> invalid(key, "is missing", fix));
    }

    public Optional<URI> uri(String key) {
        return property(key).map(value -> parseUri(key, value));
    }

    public URI requiredUri(String key, String fix) {
        return parseUri(key, requiredProperty(key, fix));
    }

    public URI uriOr(String key, String defaultValue) {
        return uri(key).orElseGet(() -> URI.create(defaultValue));
    }

    public boolean flag(String key, boolean defaultValue) {
        Optional<String> value = property(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw invalid(key, "is '" + value.get() + "'", "set it to true or false");
        }
    }

    /**
     * Parameters given as {@code <key>.<name>=<value>} (e.g. {@code authorization-parameters.prompt=consent}),
     * as a map from name to value.
     */
    public Map<String, String> parameters(String key) {
        String prefix = key + ".";
        Map<String, String> parameters = new LinkedHashMap<>();
        properties.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith(prefix))
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> parameters.put(entry.getKey().substring(prefix.length()), entry.getValue()));
        return Map.copyOf(parameters);
    }

    public InvalidConnectorConfigurationException invalid(String key, String problem, String fix) {
        return new InvalidConnectorConfigurationException(connectorId, key, problem, fix);
    }

    private URI parseUri(String key, String value) {
        try {
            URI uri = new URI(value);
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw invalid(key, "is '" + value + "', not an absolute http(s) URL", "set it to the full URL, e.g. https://idp.example.com/...");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid(key, "is '" + value + "', not a URL", "set it to the full URL, e.g. https://idp.example.com/...");
        }
    }

    /** Scopes as configured: separated by commas and/or whitespace. */
    public static Scope parseScope(String scopes) {
        return new Scope(Arrays.stream(scopes.split("[,\\s]+")).filter(s -> !s.isBlank()).toArray(String[]::new));
    }

    @Override
    public String toString() {
        return "ConnectorSettings[connectorId=" + connectorId + ", type=" + type + ", clientId=" + clientId
                + ", clientSecret=<redacted>, scopes=" + scopes.map(Scope::toString).orElse("default")
                + ", timeouts=" + timeouts + ", properties=" + properties.keySet().stream().sorted().collect(Collectors.joining(",", "[", "]")) + "]";
    }
}
