package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.command.TokenSet;
import java.util.Objects;
import java.util.Optional;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * Reads the authoritative state of a token set from the event store, never from a read model that an
 * asynchronous processor maintains: such a model may lag behind a refresh another instance just persisted.
 * This is what the coordinator re-reads after it acquired the right to refresh.
 *
 * <p>The cost does not grow with the stream: {@link EventStore#readEvents(String)} starts at the latest
 * {@link TokenSet} snapshot (the aggregate carries the {@link TokenSetRefreshState}) and reads only the events
 * after it — at most the snapshot threshold. Without a snapshot (a young stream, or a snapshot of an older
 * format that Axon skips) it folds the events from the first one, as before.
 */
public final class TokenSetRefreshStateReader {

    private final EventStore eventStore;

    public TokenSetRefreshStateReader(EventStore eventStore) {
        this.eventStore = Objects.requireNonNull(eventStore, "eventStore");
    }

    /** Empty when the token set was never linked. */
    public Optional<TokenSetRefreshState> read(TokenSetId tokenSetId) {
        TokenSetRefreshState state = null;
        DomainEventStream events = eventStore.readEvents(tokenSetId.toString());
        while (events.hasNext()) {
            DomainEventMessage<?> event = events.next();
            Object payload = event.getPayload();
            state = payload instanceof TokenSet snapshot
                    ? snapshot.refreshState()
                    : TokenSetRefreshState.evolve(state, payload, event.getTimestamp());
        }
        return Optional.ofNullable(state);
    }
}
