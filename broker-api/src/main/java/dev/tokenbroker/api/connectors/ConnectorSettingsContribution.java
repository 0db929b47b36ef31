package dev.tokenbroker.api.connectors;

import java.util.Map;

/**
 * Connector settings that the application itself adds to {@code broker.connectors.*}, in the same
 * flat form (e.g. the demo mode's in-process IdP). Explicit configuration wins on conflicts.
 */
@FunctionalInterface
public interface ConnectorSettingsContribution {

    Map<String, String> settings();
}
