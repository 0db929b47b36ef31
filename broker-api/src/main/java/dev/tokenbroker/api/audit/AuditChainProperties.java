package dev.tokenbroker.api.audit;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.tokenbroker.projections.chain.CheckpointPolicy;
import dev.tokenbroker.projections.chain.EventChainSettings;

/**
 * {@code broker.audit.checkpoints.*}: when the event chain's head is signed, and where the checkpoints
 * are copied outside the database (see {@code docs/tamper-evidence.md}).
 *
 * @param everyEvents sign once this many chained events are unsigned
 * @param interval    sign once the oldest unsigned event was chained this long ago (so a checkpoint is
 *                    at most {@code interval} plus {@code tick} behind)
 * @param tick        how often each instance checks whether a checkpoint is due
 * @param directory   append-only directory for {@code checkpoints.ndjson} (one JSON line per checkpoint,
 *                    fsynced); unset: no file copy (then use Kafka, or verification relies on the table)
 * @param batchSize   events chained per transaction
 * @param lateEventHorizon how long the chain waits for an event at a position it passed without one (a
 *                    transaction in flight) before it stops waiting with a warning; an event stored after that is
 *                    reported by verification as {@code inserted}. Keep it above {@code broker.event-store.gap-timeout}
 * @param kafkaTopic  the topic checkpoints are copied to when Kafka publishing is on; unset:
 *                    {@code <broker.events.kafka.topic>.checkpoints}
 */
@ConfigurationProperties("broker.audit.checkpoints")
public record AuditChainProperties(
        @DefaultValue("1000") int everyEvents,
        @DefaultValue("30s") Duration interval,
        @DefaultValue("1s") Duration tick,
        Path directory,
        @DefaultValue("500") int batchSize,
        @DefaultValue("1h") Duration lateEventHorizon,
        String kafkaTopic) {

    public AuditChainProperties {
        if (everyEvents < 1) {
            throw new IllegalArgumentException("broker.audit.checkpoints.every-events=" + everyEvents + " must be at least 1");
        }
        if (interval.isNegative() || interval.isZero() || tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("broker.audit.checkpoints.interval and .tick must be positive (e.g. 30s, 1s)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("broker.audit.checkpoints.batch-size=" + batchSize + " must be at least 1");
        }
        if (lateEventHorizon.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("broker.audit.checkpoints.late-event-horizon=" + lateEventHorizon
                    + " must be at least 1m (default 1h; above broker.event-store.gap-timeout)");
        }
    }

    EventChainSettings settings() {
        return new EventChainSettings(new CheckpointPolicy(everyEvents, interval, tick), directory, batchSize, lateEventHorizon);
    }
}
