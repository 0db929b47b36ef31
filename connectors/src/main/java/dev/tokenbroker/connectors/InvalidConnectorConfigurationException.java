package dev.tokenbroker.connectors;

/**
 * Start-up failure for a connector's configuration. The message names the full setting
 * ({@code broker.connectors.<id>.<key>}), what is wrong and how to fix it; it never echoes a secret.
 */
public final class InvalidConnectorConfigurationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String connectorId;
    private final String key;

    public InvalidConnectorConfigurationException(String connectorId, String key, String problem, String fix) {
        super(ConnectorSettings.PREFIX + connectorId + "." + key + " " + problem + ": " + fix);
        this.connectorId = connectorId;
        this.key = key;
    }

    public String connectorId() {
        return connectorId;
    }

    /** The key below the connector id, e.g. {@code client-id}. */
    public String key() {
        return key;
    }
}
