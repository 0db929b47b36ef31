package dev.tokenbroker.projections;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tokenbroker.projections.history.TokenSetHistoryProjection;
import dev.tokenbroker.projections.tokenset.TokenSetViewProjection;

/**
 * Rebuilds read models from the first event. {@link #rebuildAll} uses the {@link ReadModelBulkRebuild} when there
 * is one (one scan of the event store, then the processors resume where it stopped); {@link #rebuild(String)}, and
 * {@link #rebuildAll} without a bulk rebuild, shut the processor down, reset its tokens (which runs the projection's
 * {@code @ResetHandler}, clearing its table in the same transaction) and start it again, so it replays event by
 * event.
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
    private final ReadModelBulkRebuild bulk;
    private final Clock clock;
    private volatile Instant startedAt;
    private volatile ScheduledExecutorService progressLog;
    /** The counters of a bulk rebuild while it runs; {@code null} otherwise. */
    private volatile ReadModelBulkRebuild.Counters bulkRunning;

    /** Rebuilds through the processors' replay only. */
    public ReadModelRebuild(Configuration axon) {
        this(axon, null, Clock.systemUTC());
    }

    /** @param bulk the bulk rebuild {@link #rebuildAll} uses; {@code null} for the processors' replay */
    public ReadModelRebuild(Configuration axon, ReadModelBulkRebuild bulk) {
        this(axon, bulk, Clock.systemUTC());
    }

    public ReadModelRebuild(Configuration axon, ReadModelBulkRebuild bulk, Clock clock) {
        this.axon = Objects.requireNonNull(axon, "axon");
        this.bulk = bulk;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * How far the last rebuild got. Positions are global event-store positions, so "events processed" counts
     * the events every read model has handled again (the slowest processor and segment decides), "total" is the
     * head of the event store now.
     *
     * @param running          whether a rebuild was started and has not caught up yet
     * @param eventsPerSecond  the average since the start; 0 before any progress
     * @param remaining        estimated time left at that rate; {@code null} when unknown or done
     */
    public record Progress(boolean running, Instant startedAt, long processed, long total, double eventsPerSecond,
                           Duration remaining) {

        /** Done as a fraction, 0 to 1 (1 for an empty store). */
        public double fraction() {
            return total <= 0 ? 1 : Math.min(1, (double) processed / total);
        }
    }

    /** Starts a rebuild of every read model of this module, logging its progress every 5 seconds. */
    public synchronized void rebuildAll() {
        if (bulkRunning != null) {
            throw new IllegalStateException("A rebuild of the read models is already running");
        }
        startedAt = clock.instant();
        if (bulk == null) {
            PROCESSING_GROUPS.forEach(this::rebuild);
        } else {
            startBulk();
        }
        if (progressLog == null) {
            ScheduledExecutorService logger = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "read-model-rebuild-progress");
                thread.setDaemon(true);
                return thread;
            });
            progressLog = logger;
            logger.scheduleAtFixedRate(this::logProgress, 5, 5, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops the processors and runs the bulk rebuild on a thread of its own; the processors start again when it is
     * done — from where it stopped, or, when it failed, from the first event (its first step moved their tokens
     * there), so a failed bulk rebuild still ends in rebuilt read models.
     */
    private void startBulk() {
        List<StreamingEventProcessor> processors = PROCESSING_GROUPS.stream().map(this::processor).toList();
        processors.forEach(processor -> {
            if (!processor.supportsReset()) {
                throw new IllegalStateException("Processor " + processor.getName() + " does not support a reset");
            }
        });
        log.info("Rebuilding the read models of {} with one scan of the event store", PROCESSING_GROUPS);
        processors.forEach(StreamingEventProcessor::shutDown);
        ReadModelBulkRebuild.Counters counters = new ReadModelBulkRebuild.Counters();
        bulkRunning = counters;
        Thread thread = new Thread(() -> {
            try {
                bulk.run(PROCESSING_GROUPS, counters);
            } catch (Exception | Error e) {
                log.error("The bulk rebuild failed; the processors rebuild the read models from the first event instead", e);
            } finally {
                try {
                    processors.forEach(StreamingEventProcessor::start);
                } finally {
                    bulkRunning = null;
                }
            }
        }, "read-model-rebuild");
        thread.setDaemon(true);
        thread.start();
    }

    /** The progress of the last rebuild started on this instance (not running when none was). */
    public Progress progress() {
        Instant started = startedAt;
        ReadModelBulkRebuild.Counters counters = bulkRunning;
        if (started != null && counters != null) {
            // scanning: events written of events in the scanned snapshot (the head until the count is known)
            long total = counters.total() >= 0 ? counters.total() : Math.max(0, position(axon.eventStore().createHeadToken()));
            return progress(started, true, Math.min(counters.written(), total), total);
        }
        long total = Math.max(0, position(axon.eventStore().createHeadToken()));
        if (started == null) {
            return new Progress(false, null, 0, total, 0, null);
        }
        long processed = total;
        for (String group : PROCESSING_GROUPS) {
            for (EventTrackerStatus status : processor(group).processingStatus().values()) {
                processed = Math.min(processed, Math.max(0, status.getCurrentPosition().orElse(0)));
            }
        }
        boolean running = !isCaughtUp();
        if (!running) {
            processed = total;
        }
        return progress(started, running, processed, total);
    }

    private Progress progress(Instant started, boolean running, long processed, long total) {
        double seconds = Math.max(0.001, Duration.between(started, clock.instant()).toMillis() / 1000.0);
        double rate = processed / seconds;
        Duration remaining = !running ? null
                : rate <= 0 ? null : Duration.ofMillis((long) ((total - processed) / rate * 1000));
        return new Progress(running, started, processed, total, rate, remaining);
    }

    private synchronized void logProgress() {
        try {
            Progress progress = progress();
            if (progress.running()) {
                log.info("Rebuilding read models: {} of {} events ({}%), {} events/s, about {} s left",
                        progress.processed(), progress.total(), Math.round(progress.fraction() * 100),
                        Math.round(progress.eventsPerSecond()),
                        progress.remaining() == null ? "?" : progress.remaining().toSeconds());
            } else {
                log.info("Rebuilt read models: {} events in {} s", progress.total(),
                        Duration.between(progress.startedAt(), clock.instant()).toSeconds());
                progressLog.shutdown();
                progressLog = null;
            }
        } catch (RuntimeException e) {
            log.warn("Cannot report the rebuild's progress", e);
        }
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
        return bulkRunning == null && PROCESSING_GROUPS.stream().allMatch(this::isCaughtUp);
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
