package dev.tokenbroker.connectors;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on every network call a connector makes. A hanging IdP must cost a bounded amount of time, or
 * refresh workers and waiting API callers pile up behind it.
 *
 * @param connect TCP connect timeout, at most {@link #MAXIMUM}
 * @param read    time allowed for the response: the status line and headers must arrive within it, and the whole
 *                exchange (connect, headers and the complete body) must end within {@code connect + read} — a body
 *                that trickles in byte by byte does not reset it. At most {@link #MAXIMUM}
 */
public record ConnectorTimeouts(Duration connect, Duration read) {

    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ = Duration.ofSeconds(10);
    public static final Duration MAXIMUM = Duration.ofMinutes(1);
    public static final ConnectorTimeouts DEFAULTS = new ConnectorTimeouts(DEFAULT_CONNECT, DEFAULT_READ);

    public ConnectorTimeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(read, "read");
        requireBounded(connect, "connect");
        requireBounded(read, "read");
    }

    private static void requireBounded(Duration timeout, String name) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAXIMUM) > 0) {
            throw new IllegalArgumentException(name + " timeout must be more than 0 and at most " + MAXIMUM);
        }
    }

    public int connectMillis() {
        return Math.toIntExact(connect.toMillis());
    }

    public int readMillis() {
        return Math.toIntExact(read.toMillis());
    }
}
