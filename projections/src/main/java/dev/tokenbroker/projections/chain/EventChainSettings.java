package dev.tokenbroker.projections.chain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The chain's settings, given by the application ({@code broker.audit.checkpoints.*}).
 *
 * @param policy    when to sign a checkpoint
 * @param directory where the file sink appends checkpoints, {@code null} for none
 * @param batchSize events chained per transaction
 * @param lateEventHorizon how long the chain waits for an event at a position it passed without one (a
 *                  transaction still in flight) before it stops waiting (see {@link EventChainRepository#LATE_EVENTS})
 */
public record EventChainSettings(CheckpointPolicy policy, Path directory, int batchSize, Duration lateEventHorizon) {

    public static final EventChainSettings DEFAULT =
            new EventChainSettings(CheckpointPolicy.DEFAULT, null, 500, Duration.ofHours(1));

    public EventChainSettings(CheckpointPolicy policy, Path directory, int batchSize) {
        this(policy, directory, batchSize, Duration.ofHours(1));
    }

    public EventChainSettings {
        Objects.requireNonNull(policy, "policy");
        if (batchSize < 1) {
            throw new IllegalArgumentException("the event chain's batch size must be >= 1");
        }
        Objects.requireNonNull(lateEventHorizon, "lateEventHorizon");
        if (lateEventHorizon.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the event chain's late-event horizon must be at least 1s");
        }
    }
}
