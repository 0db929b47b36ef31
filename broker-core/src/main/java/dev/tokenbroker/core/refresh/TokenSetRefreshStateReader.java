package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetId;
import java.util.Objects;
import java.util.Optional;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * Reads the authoritative state of a token set straight from the event store, never from a read model:
 * read models are updated asynchronously and may lag behind a refresh another instance just persisted.
 * This is what the coordinator re-reads after it acquired the right to refresh.
 */
public final class TokenSetRefreshStateReader {

    private final EventStore eventStore;

    public TokenSetRefreshStateReader(EventStore eventStore) {
        this.eventStore = Objects.requireNonNull(eventStore, "eventStore");
    }

    /** Empty when the token set was never linked. */
    public Optional<TokenSetRefreshState> read(TokenSetId tokenSetId) {
        TokenSetRefreshState state = null;
        // No snapshots are configured for TokenSet; if they ever are, this must start from an event-only stream.
        DomainEventStream events = eventStore.readEvents(tokenSetId.toString());
        while (events.hasNext()) {
            DomainEventMessage<?> event = events.next();
            state = TokenSetRefreshState.evolve(state, event.getPayload(), event.getTimestamp());
        }
        return Optional.ofNullable(state);
    }
}
