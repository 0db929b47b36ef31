package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.StreamableMessageSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream every pooled processor reads: it must tell the processor when events arrive (the embedded event
 * store's own stream cannot, so the processor would poll every 500 ms), hand them over in order, pass the
 * source's failures on, and leave no thread behind when closed.
 */
class PrefetchingMessageSourceTest {

    private final EmbeddedEventStore eventStore = EmbeddedEventStore.builder()
            .storageEngine(new InMemoryEventStorageEngine())
            .build();
    private final List<BlockingStream<?>> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(BlockingStream::close);
        eventStore.shutDown();
    }

    @Test
    void tellsTheProcessorWhenEventsArriveAndHandsThemOverInOrder() throws InterruptedException {
        BlockingStream<TrackedEventMessage<?>> stream = open(new PrefetchingMessageSource(eventStore, "orders"));
        AtomicInteger told = new AtomicInteger();

        assertThat(stream.setOnAvailableCallback(told::incrementAndGet))
                .as("a callback the processor can rely on, so it does not poll").isTrue();
        assertThat(stream.hasNextAvailable()).isFalse();
        assertThat(told).hasValue(0);

        eventStore.publish(GenericEventMessage.asEventMessage("first"));
        await().atMost(Duration.ofSeconds(10)).until(() -> told.get() >= 1);
        assertThat(stream.hasNextAvailable()).isTrue();

        eventStore.publish(GenericEventMessage.asEventMessage("second"), GenericEventMessage.asEventMessage("third"));
        List<Object> payloads = new ArrayList<>();
        TrackingToken previous = null;
        while (payloads.size() < 3) {
            assertThat(stream.hasNextAvailable(10, TimeUnit.SECONDS)).isTrue();
            TrackedEventMessage<?> event = stream.nextAvailable();
            if (previous != null) {
                assertThat(event.trackingToken().covers(previous)).as("tokens only move forward").isTrue();
            }
            previous = event.trackingToken();
            payloads.add(event.getPayload());
        }
        assertThat(payloads).containsExactly("first", "second", "third");
        assertThat(stream.hasNextAvailable()).isFalse();
    }

    @Test
    void aCallbackSetAfterEventsArrivedRunsAtOnce() {
        eventStore.publish(GenericEventMessage.asEventMessage("waiting"));
        BlockingStream<TrackedEventMessage<?>> stream = open(new PrefetchingMessageSource(eventStore, "late"));
        await().atMost(Duration.ofSeconds(10)).until(stream::hasNextAvailable);

        AtomicInteger told = new AtomicInteger();
        stream.setOnAvailableCallback(told::incrementAndGet);

        assertThat(told).as("the buffer was not empty: no arrival would ever tell the processor").hasValue(1);
    }

    @Test
    void aFailureOfTheSourceReachesTheProcessorOnItsNextRead() {
        IllegalStateException broken = new IllegalStateException("event store unreachable");
        BlockingStream<TrackedEventMessage<?>> stream = open(new PrefetchingMessageSource(failingSource(broken), "broken"));
        AtomicInteger told = new AtomicInteger();
        stream.setOnAvailableCallback(told::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> told.get() >= 1);
        assertThatThrownBy(stream::hasNextAvailable).isSameAs(broken);
        assertThatThrownBy(stream::peek).isSameAs(broken);
    }

    @Test
    void closingEndsTheReaderThread() {
        BlockingStream<TrackedEventMessage<?>> stream = new PrefetchingMessageSource(eventStore, "closing").openStream(null);
        assertThat(readerAlive("closing-prefetch")).as("one named reader per open stream").isTrue();

        stream.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> !readerAlive("closing-prefetch"));
    }

    private BlockingStream<TrackedEventMessage<?>> open(PrefetchingMessageSource source) {
        BlockingStream<TrackedEventMessage<?>> stream = source.openStream(null);
        opened.add(stream);
        return stream;
    }

    private static boolean readerAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    private static StreamableMessageSource<TrackedEventMessage<?>> failingSource(RuntimeException failure) {
        return new StreamableMessageSource<>() {
            @Override
            public BlockingStream<TrackedEventMessage<?>> openStream(TrackingToken trackingToken) {
                return new BlockingStream<>() {
                    @Override
                    public Optional<TrackedEventMessage<?>> peek() {
                        return Optional.empty();
                    }

                    @Override
                    public boolean hasNextAvailable(int timeout, TimeUnit unit) {
                        throw failure;
                    }

                    @Override
                    public TrackedEventMessage<?> nextAvailable() {
                        throw failure;
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public TrackingToken createTailToken() {
                return null;
            }

            @Override
            public TrackingToken createHeadToken() {
                return null;
            }

            @Override
            public TrackingToken createTokenAt(java.time.Instant dateTime) {
                return null;
            }
        };
    }
}
