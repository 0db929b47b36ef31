package dev.tokenbroker.projections.integration;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetStatus;

/**
 * Maps each {@code TokenSet} event class, explicitly, to an {@link IntegrationEvent}. Every field is
 * copied by name: a new field in an event stays inside the broker until someone adds it here (and to
 * the schema), so token material can never leak by accident.
 */
public final class IntegrationEvents {

    public static final String LINKED = "linked";
    public static final String REFRESHED = "refreshed";
    public static final String REFRESH_FAILED = "refresh-failed";
    public static final String REAUTHORIZATION_REQUIRED = "reauthorization-required";
    public static final String ACCESS_TOKEN_HANDED_OUT = "access-token-handed-out";
    public static final String REVOKED = "revoked";
    public static final String ERASED = "erased";

    /** Every type, in lifecycle order. */
    public static final List<String> TYPES = List.of(LINKED, REFRESHED, REFRESH_FAILED, REAUTHORIZATION_REQUIRED,
            ACCESS_TOKEN_HANDED_OUT, REVOKED, ERASED);

    private IntegrationEvents() {
    }

    /** Whether {@link #from} maps this message's payload. */
    public static boolean isTokenSetEvent(DomainEventMessage<?> message) {
        Object p = message.getPayload();
        return p instanceof TokenSetLinked || p instanceof TokenSetRefreshed || p instanceof TokenRefreshFailed
                || p instanceof ReauthorizationRequired || p instanceof AccessTokenHandedOut
                || p instanceof TokenSetRevoked || p instanceof TokenSetErased;
    }

    /**
     * The integration event of one stored {@code TokenSet} event. Only a link names the user and the
     * connector, and a hand-out or a permanent failure leaves the status as it was: complete those
     * with {@link IntegrationEvent#completedWith} before handing the record out.
     *
     * @throws IllegalArgumentException for a payload that is not a {@code TokenSet} event
     */
    public static IntegrationEvent from(DomainEventMessage<?> message) {
        Long position = message instanceof TrackedEventMessage<?> tracked
                ? tracked.trackingToken().position().stream().boxed().findFirst().orElse(null)
                : null;
        return from(message.getPayload(), message.getIdentifier(), position, message.getSequenceNumber(),
                message.getTimestamp());
    }

    /**
     * The same from the parts of a stored event, for readers of the event store that do not build Axon messages
     * (the audit feed's export reads a million rows; a message per row is measurable there).
     *
     * @param position the event's global position, or {@code null} when not read from a stream
     * @throws IllegalArgumentException for a payload that is not a {@code TokenSet} event
     */
    public static IntegrationEvent from(Object payload, String id, Long position, long sequence, Instant at) {
        if (payload instanceof TokenSetLinked e) {
            return new IntegrationEvent(id, LINKED, position, e.tokenSetId().value(), sequence, e.userId(),
                    e.connectorId(), TokenSetStatus.ACTIVE, actor(e.actor()), e.cause(), sorted(e.grantedScopes()),
                    e.accessTokenExpiresAt(), e.refreshTokenExpiresAt(), e.upstreamSubject(), e.dataKeyVersion(),
                    e.tokenVersion(), e.refreshTokenVersion(), null, e.relink(), null, null, null, null, null, at);
        }
        if (payload instanceof TokenSetRefreshed e) {
            return new IntegrationEvent(id, REFRESHED, position, e.tokenSetId().value(), sequence, null, null,
                    TokenSetStatus.ACTIVE, actor(e.actor()), e.cause(), sorted(e.grantedScopes()),
                    e.accessTokenExpiresAt(), e.refreshTokenExpiresAt(), null, null, e.tokenVersion(),
                    e.refreshTokenVersion(), e.basedOnRefreshTokenVersion(), null, null, null, null, null, null, at);
        }
        if (payload instanceof TokenRefreshFailed e) {
            // A permanent failure leaves the status to the ReauthorizationRequired that follows it.
            TokenSetStatus status = e.kind() == RefreshFailureKind.TRANSIENT ? TokenSetStatus.REFRESH_FAILING : null;
            return new IntegrationEvent(id, REFRESH_FAILED, position, e.tokenSetId().value(), sequence, null, null,
                    status, actor(e.actor()), e.cause(), null, null, null, null, null, null, null,
                    e.basedOnRefreshTokenVersion(), null, null,
                    new IntegrationEvent.Failure(e.kind().name(), e.errorCode(), e.errorDescription(), e.retryAt(),
                            e.consecutiveFailures()),
                    null, null, null, at);
        }
        if (payload instanceof ReauthorizationRequired e) {
            return new IntegrationEvent(id, REAUTHORIZATION_REQUIRED, position, e.tokenSetId().value(), sequence,
                    null, null, TokenSetStatus.REAUTHORIZATION_REQUIRED, actor(e.actor()), e.cause(), null, null, null,
                    null, null, null, null, null, null, null, null, e.reason(), null, null, at);
        }
        if (payload instanceof AccessTokenHandedOut e) {
            return new IntegrationEvent(id, ACCESS_TOKEN_HANDED_OUT, position, e.tokenSetId().value(), sequence,
                    null, null, null, actor(e.actor()), e.cause(), null, null, null, null, null, e.tokenVersion(),
                    null, null, null, e.clientId(), null, null, null, null, at);
        }
        if (payload instanceof TokenSetRevoked e) {
            return new IntegrationEvent(id, REVOKED, position, e.tokenSetId().value(), sequence, null, null,
                    TokenSetStatus.REVOKED, actor(e.actor()), e.cause(), null, null, null, null, null, null, null,
                    null, null, null, null, null,
                    new IntegrationEvent.Revocation(e.upstreamOutcome().name(), e.upstreamDetail()), null, at);
        }
        if (payload instanceof TokenSetErased e) {
            return new IntegrationEvent(id, ERASED, position, e.tokenSetId().value(), sequence, null, null,
                    TokenSetStatus.ERASED, actor(e.actor()), e.cause(), null, null, null, null, null, null, null,
                    null, null, null, null, null, null,
                    new IntegrationEvent.Erasure(e.erasedThroughKeyVersion(), e.dataKeysDestroyed()), at);
        }
        throw new IllegalArgumentException("not a TokenSet event: " + payload.getClass().getName());
    }

    /** The aggregate identifier as the token set id, for callers that only need the key. */
    public static UUID tokenSetId(DomainEventMessage<?> message) {
        return UUID.fromString(message.getAggregateIdentifier());
    }

    private static IntegrationEvent.Actor actor(Actor actor) {
        return actor == null ? null : new IntegrationEvent.Actor(actor.type().name(), actor.id());
    }

    private static List<String> sorted(Set<String> scopes) {
        return scopes == null ? null : scopes.stream().sorted().toList();
    }
}
