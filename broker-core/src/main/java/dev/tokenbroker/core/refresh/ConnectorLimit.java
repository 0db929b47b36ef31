package dev.tokenbroker.core.refresh;

/**
 * How hard the broker may press one IdP with refreshes, per instance.
 *
 * @param maxConcurrentRefreshes upstream refresh calls in flight at once for this connector on one instance
 * @param refreshesPerSecond     sustained refresh calls per second for this connector on one instance (token bucket;
 *                               bursts up to one second's worth)
 */
public record ConnectorLimit(int maxConcurrentRefreshes, double refreshesPerSecond) {

    public static final ConnectorLimit DEFAULT = new ConnectorLimit(16, 200);

    public ConnectorLimit {
        if (maxConcurrentRefreshes < 1) {
            throw new IllegalArgumentException("max-concurrent-refreshes is " + maxConcurrentRefreshes + ": set it to 1 or more");
        }
        if (!(refreshesPerSecond > 0)) {
            throw new IllegalArgumentException("refreshes-per-second is " + refreshesPerSecond + ": set it to more than 0");
        }
    }
}
