package dev.tokenbroker.projections.chain;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The chain's settings, given by the application ({@code broker.audit.checkpoints.*}).
 *
 * @param policy    when to sign a checkpoint
 * @param directory where the file sink appends checkpoints, {@code null} for none
 * @param batchSize events chained per transaction
 */
public record EventChainSettings(CheckpointPolicy policy, Path directory, int batchSize) {

    public static final EventChainSettings DEFAULT = new EventChainSettings(CheckpointPolicy.DEFAULT, null, 500);

    public EventChainSettings {
        Objects.requireNonNull(policy, "policy");
        if (batchSize < 1) {
            throw new IllegalArgumentException("the event chain's batch size must be >= 1");
        }
    }
}
