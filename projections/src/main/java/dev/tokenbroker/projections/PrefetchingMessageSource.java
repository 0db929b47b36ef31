package dev.tokenbroker.projections;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.StreamableMessageSource;

/**
 * Gives a {@link org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor} a stream that
 * tells it when events arrive, instead of letting it poll. Every pooled processor of the broker reads
 * the event store through one of these.
 *
 * <p>Why: Axon 4.13's pooled processor asks its stream for an availability callback; the
 * {@code EmbeddedEventStore}'s stream (the JDBC event store) has none, and the processor then looks
 * for new events every 500 ms (hard-coded in its {@code Coordinator}). That poll costs twice:
 * <ul>
 *   <li>latency: an event waits up to 500 ms before its processor sees it (it was most of the
 *       publisher's append → Kafka latency, p50 ≈ 0.4–0.5 s, see {@code benchmarks/kafka-publisher/RESULTS.md});
 *   <li>an idle broker's work: each poll runs the coordinator and then every work package of the
 *       processor, so four processors with 1–16 segments woke about 70 times a second with nothing
 *       to do. With the callback the coordinator runs when events arrive, and otherwise once per claim
 *       interval (5 s), which still extends the token claims in time.
 * </ul>
 *
 * <p>How: one thread per open stream reads the event store's stream (blocking: the embedded event store
 * wakes it as soon as an append in this JVM commits, and within its fetch delay for other instances)
 * into a bounded buffer, and runs the processor's callback whenever the buffer goes from empty to
 * non-empty. The processor reads only the buffer, in the same order. An error of the underlying stream
 * is rethrown to the processor on its next read, so it aborts and reopens as it would have.
 */
public final class PrefetchingMessageSource implements StreamableMessageSource<TrackedEventMessage<?>> {

    /** Events read ahead per stream, at most. */
    static final int BUFFER = 1024;
    /**
     * How long the reader waits for an event before it looks at its open flag again. Closing interrupts it, so
     * this bounds only the idle wake-ups: one a second per open stream.
     */
    private static final int WAIT_MILLIS = 1000;

    private final StreamableMessageSource<TrackedEventMessage<?>> delegate;
    private final String readerName;

    /**
     * @param delegate        the source to read ahead of the processor (the event store)
     * @param processingGroup names the reader thread ({@code <group>-prefetch}), so a thread dump says whose it is
     */
    public PrefetchingMessageSource(StreamableMessageSource<TrackedEventMessage<?>> delegate, String processingGroup) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.readerName = Objects.requireNonNull(processingGroup, "processingGroup") + "-prefetch";
    }

    @Override
    public BlockingStream<TrackedEventMessage<?>> openStream(TrackingToken trackingToken) {
        return new PrefetchingStream(delegate.openStream(trackingToken), readerName);
    }

    @Override
    public TrackingToken createTailToken() {
        return delegate.createTailToken();
    }

    @Override
    public TrackingToken createHeadToken() {
        return delegate.createHeadToken();
    }

    @Override
    public TrackingToken createTokenAt(Instant dateTime) {
        return delegate.createTokenAt(dateTime);
    }

    @Override
    public TrackingToken createTokenSince(Duration duration) {
        return delegate.createTokenSince(duration);
    }

    static final class PrefetchingStream implements BlockingStream<TrackedEventMessage<?>> {

        private final BlockingStream<TrackedEventMessage<?>> source;
        private final BlockingQueue<TrackedEventMessage<?>> buffer = new ArrayBlockingQueue<>(BUFFER);
        private final AtomicReference<Runnable> callback = new AtomicReference<>();
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private final Object arrived = new Object();
        private final Thread reader;
        private volatile boolean open = true;

        PrefetchingStream(BlockingStream<TrackedEventMessage<?>> source, String readerName) {
            this.source = source;
            this.reader = new Thread(this::read, readerName);
            this.reader.setDaemon(true);
            this.reader.start();
        }

        private void read() {
            try {
                while (open) {
                    if (!source.hasNextAvailable(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    TrackedEventMessage<?> event = source.nextAvailable();
                    boolean wasEmpty = buffer.isEmpty();
                    while (open && !buffer.offer(event, WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                        wasEmpty = false; // full: the processor is busy reading, it needs no wake-up
                    }
                    synchronized (arrived) {
                        arrived.notifyAll();
                    }
                    if (wasEmpty) {
                        notifyAvailable();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.set(e);
                synchronized (arrived) {
                    arrived.notifyAll();
                }
                notifyAvailable();
            }
        }

        private void notifyAvailable() {
            Runnable current = callback.get();
            if (current != null) {
                current.run();
            }
        }

        private void rethrowFailure() {
            if (buffer.isEmpty()) {
                RuntimeException e = failure.get();
                if (e != null) {
                    throw e;
                }
            }
        }

        @Override
        public boolean setOnAvailableCallback(Runnable onAvailable) {
            callback.set(onAvailable);
            if (!buffer.isEmpty() || failure.get() != null) {
                onAvailable.run();
            }
            return true;
        }

        @Override
        public Optional<TrackedEventMessage<?>> peek() {
            rethrowFailure();
            return Optional.ofNullable(buffer.peek());
        }

        @Override
        public boolean hasNextAvailable() {
            rethrowFailure();
            return !buffer.isEmpty();
        }

        @Override
        public boolean hasNextAvailable(int timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            synchronized (arrived) {
                while (buffer.isEmpty()) {
                    rethrowFailure();
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(arrived, left);
                }
            }
            return true;
        }

        @Override
        public TrackedEventMessage<?> nextAvailable() throws InterruptedException {
            TrackedEventMessage<?> event;
            while ((event = buffer.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS)) == null) {
                rethrowFailure();
            }
            return event;
        }

        @Override
        public void skipMessagesWithPayloadTypeOf(TrackedEventMessage<?> ignoredMessage) {
            source.skipMessagesWithPayloadTypeOf(ignoredMessage);
        }

        @Override
        public void close() {
            open = false;
            reader.interrupt();
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            source.close();
            buffer.clear();
        }
    }
}
