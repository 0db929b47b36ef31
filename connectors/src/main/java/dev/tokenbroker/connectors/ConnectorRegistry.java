package dev.tokenbroker.connectors;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configured connectors, built from the flat {@code broker.connectors.<id>.*} properties and an explicit
 * list of {@link ConnectorFactory factories} (no classpath scanning: a connector jar on the classpath does
 * nothing until its factory is registered).
 *
 * <h2>Settings</h2>
 * Every connector: {@code type} or {@code preset}, {@code client-id}, {@code client-secret}, {@code scopes}
 * (comma or space separated, or a list {@code scopes[0]}, {@code scopes[1]}...), {@code connect-timeout}
 * and {@code read-timeout} (durations like {@code 500ms}, {@code 5s}, {@code PT5S}; plain numbers are
 * milliseconds; at most 1 minute). Each type adds its own, declared by its factory:
 * <ul>
 *   <li>{@code oauth2}: {@code authorization-uri}, {@code token-uri} (required), {@code revocation-uri},
 *       {@code userinfo-uri}, {@code userinfo-subject-claim}, {@code userinfo-name-claims}, {@code issuer},
 *       {@code client-authentication} ({@code basic}|{@code post}), {@code scope-separator}, {@code pkce},
 *       {@code authorization-parameters.<name>}, {@code token-parameters.<name>}</li>
 *   <li>{@code oidc}: {@code issuer} (required; discovery), {@code client-authentication}, {@code pkce},
 *       {@code authorization-parameters.<name>}, {@code token-parameters.<name>}</li>
 *   <li>{@code github}: {@code web-uri}, {@code api-uri}, {@code pkce}</li>
 *   <li>{@code google}: {@code offline-access}, {@code issuer}, {@code authorization-uri}, {@code token-uri},
 *       {@code revocation-uri}, {@code userinfo-uri}, {@code jwks-uri}</li>
 *   <li>presets ({@link ConnectorPresets}): {@code entra-id} (+ {@code tenant}), {@code gitlab}</li>
 * </ul>
 * Example: {@code broker.connectors.corp.issuer=https://login.corp.example}, with {@code type=oidc},
 * {@code client-id} and {@code client-secret}. Unknown keys, missing or malformed values fail with an
 * {@link InvalidConnectorConfigurationException} naming the setting and the fix.
 */
public final class ConnectorRegistry {

    private static final Pattern CONNECTOR_ID = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern LIST_ITEM = Pattern.compile("(.+)\\[(\\d+)]");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z-]+)}");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final Map<String, Connector> connectors;

    private ConnectorRegistry(Map<String, Connector> connectors) {
        this.connectors = Map.copyOf(connectors);
    }

    /**
     * @param properties any flat property map; keys not starting with {@code broker.connectors.} are ignored
     * @param factories  the connector types the application offers
     * @throws InvalidConnectorConfigurationException for the first invalid setting
     */
    public static ConnectorRegistry fromProperties(Map<String, String> properties, Collection<? extends ConnectorFactory> factories) {
        Map<String, ConnectorFactory> factoriesByType = new LinkedHashMap<>();
        for (ConnectorFactory factory : factories) {
            if (factoriesByType.put(factory.type(), factory) != null) {
                throw new IllegalArgumentException("two connector factories have type '" + factory.type() + "'");
            }
        }
        Map<String, Connector> connectors = new LinkedHashMap<>();
        groupByConnector(properties).forEach((id, settings) ->
                connectors.put(id, create(id, settings, factoriesByType)));
        return new ConnectorRegistry(connectors);
    }

    public static ConnectorRegistry of(Collection<? extends Connector> connectors) {
        Map<String, Connector> byId = new LinkedHashMap<>();
        connectors.forEach(connector -> byId.put(connector.id(), connector));
        return new ConnectorRegistry(byId);
    }

    public Optional<Connector> find(String connectorId) {
        return Optional.ofNullable(connectors.get(connectorId));
    }

    public Connector get(String connectorId) {
        return find(connectorId).orElseThrow(() -> new NoSuchElementException("no connector '" + connectorId + "'"));
    }

    public Set<String> ids() {
        return new TreeSet<>(connectors.keySet());
    }

    private static Map<String, Map<String, String>> groupByConnector(Map<String, String> properties) {
        Map<String, Map<String, String>> byConnector = new TreeMap<>();
        Map<String, TreeMap<Integer, String>> lists = new TreeMap<>();
        properties.forEach((fullKey, value) -> {
            if (!fullKey.startsWith(ConnectorSettings.PREFIX)) {
                return;
            }
            String rest = fullKey.substring(ConnectorSettings.PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1) {
                throw new InvalidConnectorConfigurationException(rest, "type", "is missing",
                        "configure connectors as broker.connectors.<id>.<setting>, e.g. broker.connectors.github.type=github");
            }
            String id = rest.substring(0, dot);
            String key = rest.substring(dot + 1);
            if (!CONNECTOR_ID.matcher(id).matches()) {
                throw new InvalidConnectorConfigurationException(id, key, "has an invalid connector id",
                        "use lower-case letters, digits and '-' for the id");
            }
            Matcher listItem = LIST_ITEM.matcher(key);
            if (listItem.matches()) {
                lists.computeIfAbsent(id + "\u0000" + listItem.group(1), k -> new TreeMap<>())
                        .put(Integer.parseInt(listItem.group(2)), value);
            } else {
                byConnector.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(key, value);
            }
        });
        // Relaxed binding turns YAML lists into key[0], key[1]: join them the way a flat value would be written.
        lists.forEach((idAndKey, items) -> {
            String[] parts = idAndKey.split("\u0000");
            byConnector.computeIfAbsent(parts[0], k -> new LinkedHashMap<>()).put(parts[1], String.join(",", items.values()));
        });
        return byConnector;
    }

    private static Connector create(String id, Map<String, String> given, Map<String, ConnectorFactory> factories) {
        Map<String, String> settings = new LinkedHashMap<>(given);
        List<ConfigurationProperty> presetProperties = new ArrayList<>();
        String presetName = settings.get("preset");
        if (presetName != null) {
            ConnectorPreset preset = ConnectorPresets.find(presetName.trim()).orElseThrow(() ->
                    new InvalidConnectorConfigurationException(id, "preset", "is '" + presetName + "', which is not a preset",
                            "use one of " + ConnectorPresets.names() + ", or remove it and set type"));
            presetProperties.addAll(preset.properties());
            for (ConfigurationProperty property : preset.properties()) {
                if (property.required() && blank(settings.get(property.key()))) {
                    throw new InvalidConnectorConfigurationException(id, property.key(), "is missing", "set it: " + property.description());
                }
            }
            preset.defaults().forEach((key, value) -> settings.putIfAbsent(key, fillPlaceholders(value, settings)));
            settings.putIfAbsent("type", preset.type());
        }
        String type = settings.get("type");
        if (blank(type)) {
            throw new InvalidConnectorConfigurationException(id, "type", "is missing",
                    "set it to one of " + new TreeSet<>(factories.keySet()) + ", or set preset to one of " + ConnectorPresets.names());
        }
        ConnectorFactory factory = factories.get(type.trim());
        if (factory == null) {
            throw new InvalidConnectorConfigurationException(id, "type", "is '" + type + "', which is not a registered connector type",
                    "use one of " + new TreeSet<>(factories.keySet()) + " or register the connector's factory");
        }
        rejectUnknownKeys(id, settings.keySet(), factory, presetProperties);
        String clientId = settings.get("client-id");
        if (blank(clientId)) {
            throw new InvalidConnectorConfigurationException(id, "client-id", "is missing",
                    "set it to the client id of the broker's registration (OAuth App / client) at " + factory.displayName());
        }
        String clientSecret = settings.get("client-secret");
        if (blank(clientSecret)) {
            throw new InvalidConnectorConfigurationException(id, "client-secret", "is missing",
                    "set it to the client secret of the broker's registration at " + factory.displayName()
                            + ", e.g. from an environment variable");
        }
        ConnectorTimeouts timeouts = new ConnectorTimeouts(
                duration(id, "connect-timeout", settings.get("connect-timeout"), ConnectorTimeouts.DEFAULT_CONNECT),
                duration(id, "read-timeout", settings.get("read-timeout"), ConnectorTimeouts.DEFAULT_READ));
        Optional<Scope> scopes = Optional.ofNullable(settings.get("scopes")).filter(s -> !blank(s)).map(ConnectorSettings::parseScope);
        Map<String, String> specific = new LinkedHashMap<>(settings);
        for (ConfigurationProperty common : ConnectorSettings.COMMON_PROPERTIES) {
            specific.remove(common.key());
        }
        for (ConfigurationProperty declared : factory.configurationProperties()) {
            if (declared.required() && blank(specific.get(declared.key()))) {
                throw new InvalidConnectorConfigurationException(id, declared.key(), "is missing", "set it: " + declared.description());
            }
        }
        ConnectorSettings connectorSettings = new ConnectorSettings(id, factory.type(), new ClientID(clientId.trim()),
                new Secret(clientSecret.trim()), scopes, timeouts, specific);
        return Objects.requireNonNull(factory.create(connectorSettings), "factory " + factory.type() + " returned null");
    }

    private static void rejectUnknownKeys(String id, Set<String> keys, ConnectorFactory factory, List<ConfigurationProperty> presetProperties) {
        Set<String> known = new HashSet<>();
        Set<String> knownPrefixes = new HashSet<>();
        List<ConfigurationProperty> all = new ArrayList<>(ConnectorSettings.COMMON_PROPERTIES);
        all.addAll(factory.configurationProperties());
        all.addAll(presetProperties);
        for (ConfigurationProperty property : all) {
            if (property.key().endsWith(".<name>")) {
                knownPrefixes.add(property.key().substring(0, property.key().length() - "<name>".length()));
            } else {
                known.add(property.key());
            }
        }
        for (String key : new TreeSet<>(keys)) {
            boolean isKnown = known.contains(key) || knownPrefixes.stream().anyMatch(key::startsWith);
            if (!isKnown) {
                throw new InvalidConnectorConfigurationException(id, key, "is not a setting of connector type '" + factory.type() + "'",
                        "remove it or fix its spelling; known settings are " + new TreeSet<>(known)
                                + (knownPrefixes.isEmpty() ? "" : " and " + new TreeSet<>(knownPrefixes) + "<name>"));
            }
        }
    }

    private static String fillPlaceholders(String value, Map<String, String> settings) {
        Matcher matcher = PLACEHOLDER.matcher(value);
        StringBuilder filled = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(filled, Matcher.quoteReplacement(settings.get(matcher.group(1)).trim()));
        }
        matcher.appendTail(filled);
        return filled.toString();
    }

    static Duration duration(String id, String key, String value, Duration defaultValue) {
        if (blank(value)) {
            return defaultValue;
        }
        String text = value.trim().toLowerCase(Locale.ROOT);
        Duration duration;
        try {
            Matcher simple = SIMPLE_DURATION.matcher(text);
            if (simple.matches()) {
                long amount = Long.parseLong(simple.group(1));
                String unit = simple.group(2) == null ? "ms" : simple.group(2);
                duration = "h".equals(unit) ? Duration.ofHours(amount) : "m".equals(unit) ? Duration.ofMinutes(amount)
                        : "s".equals(unit) ? Duration.ofSeconds(amount) : Duration.ofMillis(amount);
            } else {
                duration = Duration.parse(value.trim());
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new InvalidConnectorConfigurationException(id, key, "is '" + value + "', not a duration", "write it like 500ms, 5s or PT5S");
        }
        if (duration.isZero() || duration.isNegative() || duration.compareTo(ConnectorTimeouts.MAXIMUM) > 0) {
            throw new InvalidConnectorConfigurationException(id, key, "is " + value + ", out of range",
                    "set it to more than 0 and at most 1m: a hanging IdP must not hold callers longer");
        }
        return duration;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
