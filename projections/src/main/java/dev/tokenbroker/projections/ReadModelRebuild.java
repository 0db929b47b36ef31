package dev.tokenbroker.projections;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tokenbroker.projections.history.TokenSetHistoryProjection;
import dev.tokenbroker.projections.tokenset.TokenSetViewProjection;

/**
 * Rebuilds read models from the first event: shut the processor down, reset its tokens (which runs the
 * projection's {@code @ResetHandler}, clearing its table in the same transaction), start it again.
 *
 * <p>Across several instances, every instance must have released its claims before the reset: call
 * this where the other instances' processors are stopped too (Axon refuses to reset claimed tokens).
 * Rebuilding is asynchronous; {@link #isCaughtUp} tells when the read model has reached the head of the
 * event store again (callers poll it, e.g. with Awaitility, or an admin endpoint reports it).
 */
public final class ReadModelRebuild {

    /** The processing groups of this module, one per read model. */
    public static final List<String> PROCESSING_GROUPS =
            List.of(TokenSetViewProjection.PROCESSING_GROUP, TokenSetHistoryProjection.PROCESSING_GROUP);

    private static final Logger log = LoggerFactory.getLogger(ReadModelRebuild.class);

    private final Configuration axon;

    public ReadModelRebuild(Configuration axon) {
        this.axon = Objects.requireNonNull(axon, "axon");
    }

    /** Starts a rebuild of every read model of this module. */
    public void rebuildAll() {
        PROCESSING_GROUPS.forEach(this::rebuild);
    }

    /** Starts a rebuild of the read model of one processing group. */
    public void rebuild(String processingGroup) {
        StreamingEventProcessor processor = processor(processingGroup);
        if (!processor.supportsReset()) {
            throw new IllegalStateException("Processor " + processingGroup + " does not support a reset");
        }
        log.info("Rebuilding read model of processing group {} from the first event", processingGroup);
        processor.shutDown();
        processor.resetTokens();
        processor.start();
    }

    /** Whether every read model of this module has caught up with the head of the event store. */
    public boolean isCaughtUp() {
        return PROCESSING_GROUPS.stream().allMatch(this::isCaughtUp);
    }

    /**
     * Whether the processor runs, holds claims covering every segment, and each segment has processed
     * up to the event store's head as of this call (and past its reset position).
     *
     * <p>Deliberately not {@link EventTrackerStatus#isReplaying()}: a segment leaves replay mode only when
     * it sees an event after the reset position, so at a quiet head it reports "replaying" forever
     * although every event was handled again.
     */
    public boolean isCaughtUp(String processingGroup) {
        StreamingEventProcessor processor = processor(processingGroup);
        if (!processor.isRunning()) {
            return false;
        }
        Map<Integer, EventTrackerStatus> statuses = processor.processingStatus();
        long head = position(axon.eventStore().createHeadToken());
        double coverage = 0;
        for (EventTrackerStatus status : statuses.values()) {
            long position = status.getCurrentPosition().orElse(-1);
            if (status.isErrorState() || !status.isCaughtUp() || position < head
                    || position < status.getResetPosition().orElse(-1)) {
                return false;
            }
            // a segment with mask m covers 1/(m+1) of the sequence space
            coverage += 1.0 / (status.getSegment().getMask() + 1);
        }
        return !statuses.isEmpty() && coverage > 0.999;
    }

    private StreamingEventProcessor processor(String processingGroup) {
        return axon.eventProcessingConfiguration()
                .eventProcessor(processingGroup, StreamingEventProcessor.class)
                .orElseThrow(() -> new IllegalArgumentException(
                        "No streaming event processor named " + processingGroup));
    }

    private static long position(TrackingToken token) {
        return token == null ? -1 : token.position().orElse(-1);
    }
}
