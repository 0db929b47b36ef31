package dev.tokenbroker.core.eventstore;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;

/**
 * The real storage engine, counting the events it reads for aggregates (loads and re-reads), so a test can
 * show what a command or a re-read costs as a stream grows.
 */
final class CountingEventStorageEngine implements EventStorageEngine {

    private final EventStorageEngine delegate;
    private final AtomicLong aggregateEventsRead = new AtomicLong();
    private final AtomicLong snapshotsRead = new AtomicLong();

    CountingEventStorageEngine(EventStorageEngine delegate) {
        this.delegate = delegate;
    }

    /** Events (not snapshots) read through aggregate streams since the last reset. */
    long aggregateEventsRead() {
        return aggregateEventsRead.get();
    }

    long snapshotsRead() {
        return snapshotsRead.get();
    }

    void reset() {
        aggregateEventsRead.set(0);
        snapshotsRead.set(0);
    }

    @Override
    public void appendEvents(List<? extends EventMessage<?>> events) {
        delegate.appendEvents(events);
    }

    @Override
    public void storeSnapshot(DomainEventMessage<?> snapshot) {
        delegate.storeSnapshot(snapshot);
    }

    @Override
    public Stream<? extends TrackedEventMessage<?>> readEvents(TrackingToken trackingToken, boolean mayBlock) {
        return delegate.readEvents(trackingToken, mayBlock);
    }

    @Override
    public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
        DomainEventStream events = delegate.readEvents(aggregateIdentifier, firstSequenceNumber);
        return new DomainEventStream() {
            @Override
            public boolean hasNext() {
                return events.hasNext();
            }

            @Override
            public DomainEventMessage<?> next() {
                aggregateEventsRead.incrementAndGet();
                return events.next();
            }

            @Override
            public DomainEventMessage<?> peek() {
                return events.peek();
            }

            @Override
            public Long getLastSequenceNumber() {
                return events.getLastSequenceNumber();
            }
        };
    }

    @Override
    public Optional<DomainEventMessage<?>> readSnapshot(String aggregateIdentifier) {
        Optional<DomainEventMessage<?>> snapshot = delegate.readSnapshot(aggregateIdentifier);
        snapshot.ifPresent(found -> snapshotsRead.incrementAndGet());
        return snapshot;
    }

    @Override
    public Optional<Long> lastSequenceNumberFor(String aggregateIdentifier) {
        return delegate.lastSequenceNumberFor(aggregateIdentifier);
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
}
