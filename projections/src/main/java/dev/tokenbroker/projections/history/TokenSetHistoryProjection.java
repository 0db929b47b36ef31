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
 * Writes one {@code token_set_history} row per {@code TokenSet} event, copying metadata only: the
 * sealed tokens of link and refresh events are deliberately not read here, so no ciphertext reaches
 * the audit trail (which outlives crypto-shredding by design).
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
        repository.append(new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetLinked",
                occurredAt, event.actor(), event.cause(), event.relink() ? "RELINKED" : "LINKED", null,
                null, null, event.grantedScopes(), event.accessTokenExpiresAt(), event.refreshTokenExpiresAt(),
                null, null, event.dataKeyVersion(), event.tokenVersion(), event.refreshTokenVersion(), event.upstreamSubject()));
    }

    @EventHandler
    void on(TokenSetRefreshed event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        boolean rotated = event.refreshToken() != null;
        repository.append(new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetRefreshed",
                occurredAt, event.actor(), event.cause(), "REFRESHED", null, null, null, event.grantedScopes(),
                event.accessTokenExpiresAt(), event.refreshTokenExpiresAt(), rotated, null,
                event.accessToken() == null ? null : event.accessToken().keyVersion(),
                event.tokenVersion(), event.refreshTokenVersion(), null));
    }

    @EventHandler
    void on(TokenRefreshFailed event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenRefreshFailed",
                occurredAt, event.actor(), event.cause(), event.kind().name(), event.errorCode(),
                event.errorDescription(), null, null, null, null, null, event.retryAt(), null, null,
                event.basedOnRefreshTokenVersion(), null));
    }

    @EventHandler
    void on(ReauthorizationRequired event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId,
                "ReauthorizationRequired", occurredAt, event.actor(), event.cause(), "REAUTHORIZATION_REQUIRED",
                null, event.reason(), null, null, null, null, null, null, null, null, null, null));
    }

    @EventHandler
    void on(AccessTokenHandedOut event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "AccessTokenHandedOut",
                occurredAt, event.actor(), event.cause(), "HANDED_OUT", null, null, event.clientId(), null, null,
                null, null, null, null, event.tokenVersion(), null, null));
    }

    @EventHandler
    void on(TokenSetRevoked event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetRevoked",
                occurredAt, event.actor(), event.cause(), event.upstreamOutcome().name(), null,
                event.upstreamDetail(), null, null, null, null, null, null, null, null, null, null));
    }

    @EventHandler
    void on(TokenSetErased event, @SequenceNumber long sequenceNumber, @MessageIdentifier String eventId,
            @Timestamp Instant occurredAt) {
        repository.append(new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetErased",
                occurredAt, event.actor(), event.cause(), "ERASED", null,
                event.dataKeysDestroyed() + " data key(s) destroyed", null, null, null, null, null, null,
                event.erasedThroughKeyVersion(), null, null, null));
    }

    @ResetHandler
    void reset() {
        repository.deleteAll();
    }
}
