package dev.tokenbroker.projections.history;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenSetId;

/**
 * One event in the audit history of a token set: who did what, when, why and with what outcome.
 * Metadata only; the type has no field that could hold token material.
 *
 * @param eventType   the event's simple class name, e.g. {@code TokenSetRefreshed}
 * @param outcome     what the event decided: LINKED / RELINKED, the failure kind, the upstream revocation outcome, ...
 * @param errorCode   the IdP's error code of a failed refresh
 * @param detail      free text in clear: an error description, a reauthorization reason, a revocation detail
 * @param clientId    for a hand-out: the API client that received the access token
 * @param refreshTokenRotated for a refresh: whether the IdP sent a new refresh token
 * @param refreshTokenVersion the refresh-token version after the event; for a failed refresh, the one it used
 * @param upstreamSubject     for a link: the account's subject at the IdP
 */
public record TokenSetHistoryEntry(
        TokenSetId tokenSetId,
        long sequenceNumber,
        String eventId,
        String eventType,
        Instant occurredAt,
        Actor actor,
        String cause,
        String outcome,
        String errorCode,
        String detail,
        String clientId,
        Set<String> grantedScopes,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        Boolean refreshTokenRotated,
        Instant retryAt,
        Integer dataKeyVersion,
        Long tokenVersion,
        Long refreshTokenVersion,
        String upstreamSubject) {

    public TokenSetHistoryEntry {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(actor, "actor");
    }
}
