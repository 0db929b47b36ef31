package dev.tokenbroker.projections.tokenset;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.tokenbroker.core.api.TokenSetId;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * One token set's {@code token_set_view} row folded from its events in the event store ({@link TokenSetViewFold}):
 * the row the projection writes once it has applied them.
 *
 * <p>Why: {@link TokenSetQueries} reads the view, and a row can be missing while the token set is linked — a
 * rebuild has cleared the view and not replayed that token set yet (on every instance, since the table is
 * shared), or a failed write-through waits for the processor. Answering "not linked" then is wrong, and worse
 * for a delete or an erase, which would skip a token set that is there. A miss asks the event store, which is
 * always complete.
 *
 * <p>It reads from the first event, not from the aggregate's snapshot (which is not a view row), so it costs the
 * stream's length; only misses pay it, and a token set that was never linked has no events to read.
 */
public final class TokenSetViewFromEvents {

    private final Supplier<EventStore> eventStore;

    /** @param eventStore resolved on first use, so the read model can be built before Axon's configuration is */
    public TokenSetViewFromEvents(Supplier<EventStore> eventStore) {
        this.eventStore = Objects.requireNonNull(eventStore, "eventStore");
    }

    /**
     * The row as the view would give it back ({@link TokenSetView#asStored()}); empty when the token set has no
     * events: never linked.
     */
    public Optional<TokenSetView> find(TokenSetId tokenSetId) {
        TokenSetView row = null;
        DomainEventStream events = eventStore.get().readEvents(tokenSetId.toString(), 0);
        while (events.hasNext()) {
            DomainEventMessage<?> event = events.next();
            row = TokenSetViewFold.apply(row, event.getPayload(), event.getSequenceNumber(), event.getTimestamp());
        }
        return Optional.ofNullable(row).map(TokenSetView::asStored);
    }
}
