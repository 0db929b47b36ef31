package dev.tokenbroker.core.refresh;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the refresh coordinator and scheduler can be tuned with ({@code broker.refresh.*} in the application).
 * Validated on construction with messages that name the setting and the fix.
 *
 * @param leadTime                  refresh when the access token expires within this (default 5m)
 * @param jitter                    spread refreshes of clustered expiries over up to this much earlier (default 1m)
 * @param keepAliveInterval         refresh idle token sets at least this often, so unused refresh tokens stay alive (default 7d)
 * @param maxTransientFailurePeriod after transient failures lasting this long, require reauthorization (default 3d)
 * @param backoffBase               first retry delay after a transient failure, doubled per failure (default 10s)
 * @param backoffCap                longest retry delay (default 1h); the actual delay is random in [0, capped delay] (full jitter)
 * @param batchSize                 due token sets one instance claims per poll (default 100)
 * @param pollInterval              how often the scheduler looks for due work (default 1s)
 * @param leaseDuration             how long a refresh lease and a schedule claim last; must outlast one upstream call
 *                                  (connector timeouts are at most 1m) and is how long a crashed instance blocks a token set (default 2m)
 * @param onDemandWaitTimeout       how long the token API waits for a refresh before giving up (default 10s)
 * @param maxConcurrentRefreshes    refresh workers per instance, across all connectors (default 32)
 * @param defaultConnectorLimit     per-connector limit for connectors without their own
 * @param connectorLimits           per-connector limits by connector id
 */
public record RefreshSettings(
        Duration leadTime,
        Duration jitter,
        Duration keepAliveInterval,
        Duration maxTransientFailurePeriod,
        Duration backoffBase,
        Duration backoffCap,
        int batchSize,
        Duration pollInterval,
        Duration leaseDuration,
        Duration onDemandWaitTimeout,
        int maxConcurrentRefreshes,
        ConnectorLimit defaultConnectorLimit,
        Map<String, ConnectorLimit> connectorLimits) {

    public RefreshSettings {
        requirePositive("lead-time", leadTime);
        requireNotNegative("jitter", jitter);
        requirePositive("keep-alive-interval", keepAliveInterval);
        requirePositive("max-transient-failure-period", maxTransientFailurePeriod);
        requirePositive("backoff-base", backoffBase);
        requirePositive("backoff-cap", backoffCap);
        requirePositive("poll-interval", pollInterval);
        requirePositive("lease-duration", leaseDuration);
        requirePositive("on-demand-wait-timeout", onDemandWaitTimeout);
        if (backoffCap.compareTo(backoffBase) < 0) {
            throw invalid("backoff-cap", backoffCap + " is shorter than backoff-base " + backoffBase, "make it at least backoff-base");
        }
        if (jitter.compareTo(leadTime) >= 0) {
            throw invalid("jitter", jitter + " is not shorter than lead-time " + leadTime,
                    "make it shorter than lead-time, or tokens could be refreshed long before they need it");
        }
        if (batchSize < 1) {
            throw invalid("batch-size", String.valueOf(batchSize), "set it to 1 or more");
        }
        if (maxConcurrentRefreshes < 1) {
            throw invalid("max-concurrent-refreshes", String.valueOf(maxConcurrentRefreshes), "set it to 1 or more");
        }
        Objects.requireNonNull(defaultConnectorLimit, "defaultConnectorLimit");
        connectorLimits = connectorLimits == null ? Map.of() : Map.copyOf(connectorLimits);
    }

    /** The defaults the README documents. */
    public static RefreshSettings defaults() {
        return new RefreshSettings(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofDays(7), Duration.ofDays(3),
                Duration.ofSeconds(10), Duration.ofHours(1), 100, Duration.ofSeconds(1), Duration.ofMinutes(2),
                Duration.ofSeconds(10), 32, ConnectorLimit.DEFAULT, Map.of());
    }

    public ConnectorLimit limitFor(String connectorId) {
        return connectorLimits.getOrDefault(connectorId, defaultConnectorLimit);
    }

    public RefreshSettings withLeaseDuration(Duration value) {
        return new RefreshSettings(leadTime, jitter, keepAliveInterval, maxTransientFailurePeriod, backoffBase, backoffCap,
                batchSize, pollInterval, value, onDemandWaitTimeout, maxConcurrentRefreshes, defaultConnectorLimit, connectorLimits);
    }

    public RefreshSettings withBackoff(Duration base, Duration cap) {
        return new RefreshSettings(leadTime, jitter, keepAliveInterval, maxTransientFailurePeriod, base, cap,
                batchSize, pollInterval, leaseDuration, onDemandWaitTimeout, maxConcurrentRefreshes, defaultConnectorLimit, connectorLimits);
    }

    public RefreshSettings withPolling(int batch, Duration interval) {
        return new RefreshSettings(leadTime, jitter, keepAliveInterval, maxTransientFailurePeriod, backoffBase, backoffCap,
                batch, interval, leaseDuration, onDemandWaitTimeout, maxConcurrentRefreshes, defaultConnectorLimit, connectorLimits);
    }

    public RefreshSettings withConcurrency(int workers, ConnectorLimit defaultLimit) {
        return new RefreshSettings(leadTime, jitter, keepAliveInterval, maxTransientFailurePeriod, backoffBase, backoffCap,
                batchSize, pollInterval, leaseDuration, onDemandWaitTimeout, workers, defaultLimit, connectorLimits);
    }

    public RefreshSettings withMaxTransientFailurePeriod(Duration value) {
        return new RefreshSettings(leadTime, jitter, keepAliveInterval, value, backoffBase, backoffCap,
                batchSize, pollInterval, leaseDuration, onDemandWaitTimeout, maxConcurrentRefreshes, defaultConnectorLimit, connectorLimits);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw invalid(name, String.valueOf(value), "set it to a positive duration such as 30s or 5m");
        }
    }

    private static void requireNotNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw invalid(name, String.valueOf(value), "set it to zero or a positive duration such as 30s");
        }
    }

    private static IllegalArgumentException invalid(String name, String value, String fix) {
        return new IllegalArgumentException("broker.refresh." + name + " is " + value + ": " + fix);
    }
}
