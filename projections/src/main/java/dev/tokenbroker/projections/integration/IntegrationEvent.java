package dev.tokenbroker.projections.integration;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.tokenbroker.core.api.TokenSetStatus;

/**
 * One {@code TokenSet} event as the world outside the broker sees it: metadata only, never token
 * material (no ciphertext, no key, nothing an attacker could store and decrypt later). The one record
 * shape behind the Kafka stream and the audit feed, described by the JSON Schema
 * {@value #SCHEMA_RESOURCE} ({@code docs/schemas/token-set-event.v1.json} in the repository).
 *
 * <p>Fields that do not apply to an event's {@link #type()} are {@code null} and left out of the JSON.
 * A change to this record is a change to the published schema: add optional fields only; anything
 * else is a {@code v2} with a new schema file and new CloudEvents types.
 *
 * @param eventId        the event's identifier in the event store: unique, the consumers' deduplication key
 * @param type           what happened: {@code linked}, {@code refreshed}, {@code refresh-failed},
 *                       {@code reauthorization-required}, {@code access-token-handed-out}, {@code revoked}, {@code erased}
 * @param globalPosition position in the event store's global order; {@code null} when not read from a stream
 * @param tokenSetId     the token set (one user at one connector)
 * @param sequenceNumber the event's position in the token set's own history, from 0
 * @param userId         the broker user owning the token set
 * @param connectorId    the connector (IdP) of the token set
 * @param status         the token set's status after this event
 * @param actor          who caused it
 * @param cause          why, in words (e.g. {@code scheduled refresh})
 * @param scopes         granted scopes after a link or refresh, sorted
 * @param accessTokenExpiresAt  after a link or refresh; {@code null} when the access token does not expire
 * @param refreshTokenExpiresAt after a link or refresh; {@code null} when unknown or unchanged
 * @param upstreamSubject       the account's subject at the IdP (link only)
 * @param dataKeyVersion        the data-key version the link started (link only; a number, never a key)
 * @param tokenVersion          access-token version: after a link or refresh, or the one handed out
 * @param refreshTokenVersion   refresh-token version after a link or refresh
 * @param basedOnRefreshTokenVersion the refresh-token version a refresh (or failed refresh) used
 * @param relink          link only: whether it replaced an earlier link's tokens
 * @param clientId        hand-out only: the API client that received the access token
 * @param failure         refresh-failed only
 * @param reason          reauthorization-required only: e.g. the IdP's {@code invalid_grant}
 * @param revocation      revoked only: what the IdP said to the revocation request
 * @param erasure         erased only: which data keys were destroyed
 * @param occurredAt      when the event was recorded
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IntegrationEvent(
        String eventId,
        String type,
        Long globalPosition,
        UUID tokenSetId,
        long sequenceNumber,
        String userId,
        String connectorId,
        TokenSetStatus status,
        Actor actor,
        String cause,
        List<String> scopes,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        String upstreamSubject,
        Integer dataKeyVersion,
        Long tokenVersion,
        Long refreshTokenVersion,
        Long basedOnRefreshTokenVersion,
        Boolean relink,
        String clientId,
        Failure failure,
        String reason,
        Revocation revocation,
        Erasure erasure,
        Instant occurredAt) {

    /** Classpath location of the JSON Schema of this record. */
    public static final String SCHEMA_RESOURCE = "schemas/token-set-event.v1.json";

    /** The schema's {@code $id}, the CloudEvents {@code dataschema} of every record. */
    public static final String SCHEMA_ID = "https://tokenbroker.dev/schemas/token-set-event.v1.json";

    public IntegrationEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        scopes = scopes == null ? null : List.copyOf(scopes);
    }

    /**
     * Who caused the event. The connect session id of a user actor is left out on purpose: it
     * identifies a short-lived browser flow and is of no use outside the broker.
     */
    public record Actor(String type, String id) {
    }

    /** A failed upstream refresh. {@code retryAt} is {@code null} for permanent failures. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failure(String kind, String code, String description, Instant retryAt, int consecutiveFailures) {
    }

    /** The outcome of the upstream revocation request (RFC 7009). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Revocation(String outcome, String detail) {
    }

    /** A crypto-shredding: how far and how many data keys were destroyed (counts, never keys). */
    public record Erasure(int erasedThroughKeyVersion, int dataKeysDestroyed) {
    }

    /**
     * This event with what its payload does not carry: the owner (only a link names user and
     * connector) and, for events that leave the status as it was (a hand-out, a permanent failure
     * before its reauthorization requirement), the status before it.
     */
    public IntegrationEvent completedWith(String ownerUserId, String ownerConnectorId, TokenSetStatus statusBefore) {
        return new IntegrationEvent(eventId, type, globalPosition, tokenSetId, sequenceNumber,
                userId != null ? userId : ownerUserId,
                connectorId != null ? connectorId : ownerConnectorId,
                status != null ? status : statusBefore,
                actor, cause, scopes, accessTokenExpiresAt, refreshTokenExpiresAt, upstreamSubject, dataKeyVersion,
                tokenVersion, refreshTokenVersion, basedOnRefreshTokenVersion, relink, clientId, failure, reason,
                revocation, erasure, occurredAt);
    }

    /** {@code users/{userId}/connections/{connectorId}}: the CloudEvents {@code subject}. */
    public String subject() {
        return "users/" + userId + "/connections/" + connectorId;
    }
}
