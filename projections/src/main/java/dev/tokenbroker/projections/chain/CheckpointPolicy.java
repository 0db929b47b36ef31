package dev.tokenbroker.projections.chain;

import java.time.Duration;
import java.util.Objects;

/**
 * When to sign: once {@code everyEvents} events are unsigned, or once the oldest unsigned event was
 * chained {@code interval} ago — so no chained event waits longer than {@code interval} (plus one
 * {@code tick}) for a signature.
 */
public record CheckpointPolicy(int everyEvents, Duration interval, Duration tick) {

    public static final CheckpointPolicy DEFAULT = new CheckpointPolicy(1000, Duration.ofSeconds(30), Duration.ofSeconds(1));

    public CheckpointPolicy {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(tick, "tick");
        if (everyEvents < 1) {
            throw new IllegalArgumentException("broker.audit.checkpoints.every-events must be >= 1");
        }
        if (interval.isNegative() || interval.isZero() || tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("broker.audit.checkpoints.interval and tick must be positive");
        }
    }
}
