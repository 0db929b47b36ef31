package dev.tokenbroker.projections.history;

import java.time.Instant;
import java.util.Set;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;

/**
 * The one mapping from a {@code TokenSet} event to its history row, shared by the streaming projection and the
 * bulk rebuild so both write the same rows. Copies metadata only: the sealed tokens of link and refresh events are
 * deliberately not read, so no ciphertext reaches the audit trail (which outlives crypto-shredding by design).
 */
public final class TokenSetHistoryEntries {

    /** The {@code TokenSet} event types, each of which gets a history row. */
    public static final Set<Class<?>> EVENT_TYPES = Set.of(TokenSetLinked.class, TokenSetRefreshed.class,
            TokenRefreshFailed.class, ReauthorizationRequired.class, AccessTokenHandedOut.class, TokenSetRevoked.class,
            TokenSetErased.class);

    private TokenSetHistoryEntries() {
    }

    /** The history row of an event, or {@code null} when the payload is not a {@code TokenSet} event. */
    public static TokenSetHistoryEntry of(Object payload, long sequenceNumber, String eventId, Instant occurredAt) {
        if (payload instanceof TokenSetLinked event) {
            return new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetLinked",
                    occurredAt, event.actor(), event.cause(), event.relink() ? "RELINKED" : "LINKED", null,
                    null, null, event.grantedScopes(), event.accessTokenExpiresAt(), event.refreshTokenExpiresAt(),
                    null, null, event.dataKeyVersion(), event.tokenVersion(), event.refreshTokenVersion(),
                    event.upstreamSubject());
        }
        if (payload instanceof TokenSetRefreshed event) {
            boolean rotated = event.refreshToken() != null;
            return new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetRefreshed",
                    occurredAt, event.actor(), event.cause(), "REFRESHED", null, null, null, event.grantedScopes(),
                    event.accessTokenExpiresAt(), event.refreshTokenExpiresAt(), rotated, null,
                    event.accessToken() == null ? null : event.accessToken().keyVersion(),
                    event.tokenVersion(), event.refreshTokenVersion(), null);
        }
        if (payload instanceof TokenRefreshFailed event) {
            return new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenRefreshFailed",
                    occurredAt, event.actor(), event.cause(), event.kind().name(), event.errorCode(),
                    event.errorDescription(), null, null, null, null, null, event.retryAt(), null, null,
                    event.basedOnRefreshTokenVersion(), null);
        }
        if (payload instanceof ReauthorizationRequired event) {
            return new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId,
                    "ReauthorizationRequired", occurredAt, event.actor(), event.cause(), "REAUTHORIZATION_REQUIRED",
                    null, event.reason(), null, null, null, null, null, null, null, null, null, null);
        }
        if (payload instanceof AccessTokenHandedOut event) {
            return new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "AccessTokenHandedOut",
                    occurredAt, event.actor(), event.cause(), "HANDED_OUT", null, null, event.clientId(), null, null,
                    null, null, null, null, event.tokenVersion(), null, null);
        }
        if (payload instanceof TokenSetRevoked event) {
            return new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetRevoked",
                    occurredAt, event.actor(), event.cause(), event.upstreamOutcome().name(), null,
                    event.upstreamDetail(), null, null, null, null, null, null, null, null, null, null);
        }
        if (payload instanceof TokenSetErased event) {
            return new TokenSetHistoryEntry(event.tokenSetId(), sequenceNumber, eventId, "TokenSetErased",
                    occurredAt, event.actor(), event.cause(), "ERASED", null,
                    event.dataKeysDestroyed() + " data key(s) destroyed", null, null, null, null, null, null,
                    event.erasedThroughKeyVersion(), null, null, null);
        }
        return null;
    }
}
