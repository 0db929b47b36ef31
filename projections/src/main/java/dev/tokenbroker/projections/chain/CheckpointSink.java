package dev.tokenbroker.projections.chain;

import java.io.IOException;

/**
 * A copy of the checkpoints outside the database, where whoever can rewrite the database cannot reach:
 * rewriting the event store and recomputing the chain is then caught by the copy.
 */
public interface CheckpointSink {

    /** Appends a checkpoint durably (returns once it is stored, or throws). */
    void append(Checkpoint checkpoint) throws IOException;

    /** The chain index of the last checkpoint the sink holds, -1 for none; {@code Long.MAX_VALUE} if unknowable. */
    long lastChainIndex();
}
