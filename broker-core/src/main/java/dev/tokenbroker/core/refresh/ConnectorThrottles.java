package dev.tokenbroker.core.refresh;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link ConnectorThrottle} per connector on this instance, created on first use with the connector's
 * {@link ConnectorLimit} from the {@link RefreshSettings}. Connectors are isolated from each other: one IdP's
 * rate limit or slow answers hold back only the refreshes of that connector.
 */
public final class ConnectorThrottles {

    private final RefreshSettings settings;
    private final Clock clock;
    private final Map<String, ConnectorThrottle> throttles = new ConcurrentHashMap<>();

    public ConnectorThrottles(RefreshSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The throttle of {@code connectorId}; always the same one for the same id. */
    public ConnectorThrottle forConnector(String connectorId) {
        Objects.requireNonNull(connectorId, "connectorId");
        return throttles.computeIfAbsent(connectorId, id -> new ConnectorThrottle(settings.limitFor(id), clock));
    }
}
