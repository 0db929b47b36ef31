package dev.tokenbroker.projections.history;

import java.time.Instant;
import java.util.Objects;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.messaging.annotation.MessageIdentifier;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;

/**
 * Writes one {@code token_set_history} row per {@code TokenSet} event, metadata only (the mapping is
 * {@link TokenSetHistoryEntries}, shared with the bulk rebuild).
 */
@ProcessingGroup(TokenSetHistoryProjection.PROCESSING_GROUP)
public final class TokenSetHistoryProjection {

    public static final String PROCESSING_GROUP = "token-set-history";

    private final TokenSetHistoryRepository repository;

    public TokenSetHistoryProjection(TokenSetHistoryRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    @EventHandler
    void on(TokenSetLinked event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(TokenSetHistoryEntries.of(event, sequenceNumber, eventId, occurredAt));
    }

    @EventHandler
    void on(TokenSetRefreshed event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(TokenSetHistoryEntries.of(event, sequenceNumber, eventId, occurredAt));
    }

    @EventHandler
    void on(TokenRefreshFailed event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(TokenSetHistoryEntries.of(event, sequenceNumber, eventId, occurredAt));
    }

    @EventHandler
    void on(ReauthorizationRequired event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(TokenSetHistoryEntries.of(event, sequenceNumber, eventId, occurredAt));
    }

    @EventHandler
    void on(AccessTokenHandedOut event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(TokenSetHistoryEntries.of(event, sequenceNumber, eventId, occurredAt));
    }

    @EventHandler
    void on(TokenSetRevoked event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(TokenSetHistoryEntries.of(event, sequenceNumber, eventId, occurredAt));
    }

    @EventHandler
    void on(TokenSetErased event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(TokenSetHistoryEntries.of(event, sequenceNumber, eventId, occurredAt));
    }

    @ResetHandler
    void reset() {
        repository.deleteAll();
    }
}
