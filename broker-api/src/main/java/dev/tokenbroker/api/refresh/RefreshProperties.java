package dev.tokenbroker.api.refresh;

import dev.tokenbroker.core.refresh.ConnectorLimit;
import dev.tokenbroker.core.refresh.RefreshSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.refresh.*}: the refresh coordinator and scheduler. Converted into the core's {@link RefreshSettings},
 * which validates every value at start-up with a message naming the setting and the fix.
 *
 * @param schedulerEnabled set to false on instances that should only serve on-demand refreshes
 * @param connectors       per connector id: {@code max-concurrent-refreshes}, {@code refreshes-per-second}
 */
@ConfigurationProperties("broker.refresh")
public record RefreshProperties(
        @DefaultValue("true") boolean schedulerEnabled,
        @DefaultValue("5m") Duration leadTime,
        @DefaultValue("1m") Duration jitter,
        @DefaultValue("7d") Duration keepAliveInterval,
        @DefaultValue("3d") Duration maxTransientFailurePeriod,
        @DefaultValue("10s") Duration backoffBase,
        @DefaultValue("1h") Duration backoffCap,
        @DefaultValue("100") int batchSize,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("2m") Duration leaseDuration,
        @DefaultValue("10s") Duration onDemandWaitTimeout,
        @DefaultValue("32") int maxConcurrentRefreshes,
        @DefaultValue("16") int defaultMaxConcurrentRefreshesPerConnector,
        @DefaultValue("200") double defaultRefreshesPerSecondPerConnector,
        Map<String, Limit> connectors) {

    /** One connector's limits; unset values fall back to the defaults above. */
    public record Limit(Integer maxConcurrentRefreshes, Double refreshesPerSecond) {
    }

    public RefreshSettings toSettings() {
        ConnectorLimit defaultLimit = limit("default-", defaultMaxConcurrentRefreshesPerConnector, defaultRefreshesPerSecondPerConnector);
        Map<String, ConnectorLimit> limits = new LinkedHashMap<>();
        if (connectors != null) {
            connectors.forEach((id, limit) -> limits.put(id, limit("connectors." + id + ".",
                    limit.maxConcurrentRefreshes() == null ? defaultLimit.maxConcurrentRefreshes() : limit.maxConcurrentRefreshes(),
                    limit.refreshesPerSecond() == null ? defaultLimit.refreshesPerSecond() : limit.refreshesPerSecond())));
        }
        return new RefreshSettings(leadTime, jitter, keepAliveInterval, maxTransientFailurePeriod, backoffBase, backoffCap,
                batchSize, pollInterval, leaseDuration, onDemandWaitTimeout, maxConcurrentRefreshes, defaultLimit, limits);
    }

    private static ConnectorLimit limit(String prefix, int maxConcurrent, double perSecond) {
        try {
            return new ConnectorLimit(maxConcurrent, perSecond);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("broker.refresh." + prefix + e.getMessage());
        }
    }
}
