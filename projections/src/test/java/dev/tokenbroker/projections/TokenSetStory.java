package dev.tokenbroker.projections;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.core.crypto.TokenCipher;

/**
 * Publishes the events a {@code TokenSet} aggregate would, as domain events of aggregate type
 * {@code TokenSet} with consecutive sequence numbers, sealed with the test cipher. Each event happens
 * one minute after the previous one, so timestamps are predictable.
 */
final class TokenSetStory {

    static final String AGGREGATE_TYPE = "TokenSet";

    private final String userId;
    private final String connectorId;
    private final TokenSetId tokenSetId;
    private final TokenCipher cipher;
    private final EventStore eventStore;
    private Instant clock;
    private long sequenceNumber = -1;
    private int dataKeyVersion;
    private long tokenVersion;
    private long refreshTokenVersion;
    private int consecutiveFailures;
    private Set<String> scopes = Set.of();
    private DomainEventMessage<?> lastMessage;

    TokenSetStory(String userId, String connectorId, TokenCipher cipher, EventStore eventStore, Instant start) {
        this.userId = userId;
        this.connectorId = connectorId;
        this.tokenSetId = TokenSetId.of(userId, connectorId);
        this.cipher = cipher;
        this.eventStore = eventStore;
        this.clock = start;
    }

    TokenSetId tokenSetId() {
        return tokenSetId;
    }

    long lastSequenceNumber() {
        return sequenceNumber;
    }

    DomainEventMessage<?> lastMessage() {
        return lastMessage;
    }

    /** When the last event happened. */
    Instant now() {
        return clock;
    }

    TokenSetStory link(String accessToken, String refreshToken, Instant accessExpiresAt, Set<String> grantedScopes) {
        boolean relink = dataKeyVersion > 0;
        dataKeyVersion++;
        tokenVersion++;
        if (refreshToken != null) {
            refreshTokenVersion++;
        }
        scopes = grantedScopes;
        consecutiveFailures = 0;
        publish(new TokenSetLinked(tokenSetId, userId, connectorId,
                seal(TokenPurpose.ACCESS, accessToken), seal(TokenPurpose.REFRESH, refreshToken),
                seal(TokenPurpose.ID, "id-token-of-" + accessToken), accessExpiresAt,
                refreshToken == null ? null : accessExpiresAt.plus(Duration.ofDays(30)), grantedScopes,
                "upstream-" + userId, "Display " + userId, dataKeyVersion, tokenVersion, refreshTokenVersion, relink,
                Actor.user(userId, "cs-" + UUID.randomUUID()), "connect"));
        return this;
    }

    /** A successful refresh; {@code rotatedRefreshToken} is {@code null} when the IdP kept the old one. */
    TokenSetStory refresh(String accessToken, String rotatedRefreshToken, Instant accessExpiresAt) {
        long basedOn = refreshTokenVersion;
        tokenVersion++;
        if (rotatedRefreshToken != null) {
            refreshTokenVersion++;
        }
        consecutiveFailures = 0;
        publish(new TokenSetRefreshed(tokenSetId, seal(TokenPurpose.ACCESS, accessToken),
                seal(TokenPurpose.REFRESH, rotatedRefreshToken), null, accessExpiresAt, null, scopes,
                tokenVersion, refreshTokenVersion, basedOn, Actor.scheduler(), "scheduled refresh"));
        return this;
    }

    TokenSetStory failTransiently(String errorCode, Instant retryAt) {
        consecutiveFailures++;
        publish(new TokenRefreshFailed(tokenSetId, RefreshFailureKind.TRANSIENT, errorCode, "try later", retryAt,
                consecutiveFailures, refreshTokenVersion, Actor.scheduler(), "scheduled refresh"));
        return this;
    }

    /** A permanent failure, followed by the reauthorization requirement, as the aggregate applies them. */
    TokenSetStory failPermanently(String errorCode) {
        consecutiveFailures++;
        publish(new TokenRefreshFailed(tokenSetId, RefreshFailureKind.PERMANENT, errorCode, "grant revoked", null,
                consecutiveFailures, refreshTokenVersion, Actor.scheduler(), "scheduled refresh"));
        publish(new ReauthorizationRequired(tokenSetId, errorCode, Actor.scheduler(), "refresh failed permanently"));
        return this;
    }

    TokenSetStory handOut(String clientId) {
        publish(new AccessTokenHandedOut(tokenSetId, clientId, tokenVersion, Actor.apiClient(clientId), "fetch"));
        return this;
    }

    TokenSetStory revoke(UpstreamRevocationOutcome outcome) {
        publish(new TokenSetRevoked(tokenSetId, outcome, "HTTP 200", Actor.user(userId, null), "user disconnected"));
        return this;
    }

    TokenSetStory erase() {
        int destroyed = cipher.destroyDataKeys(tokenSetId, dataKeyVersion);
        publish(new TokenSetErased(tokenSetId, dataKeyVersion, destroyed, Actor.admin("admin-1"), "GDPR erasure"));
        return this;
    }

    private SealedToken seal(TokenPurpose purpose, String value) {
        return value == null ? null : cipher.seal(tokenSetId, purpose, dataKeyVersion, TokenValue.of(value));
    }

    private void publish(Object event) {
        clock = clock.plus(Duration.ofMinutes(1));
        sequenceNumber++;
        lastMessage = new GenericDomainEventMessage<>(AGGREGATE_TYPE, tokenSetId.toString(), sequenceNumber, event,
                Map.of(), UUID.randomUUID().toString(), clock);
        eventStore.publish(lastMessage);
    }
}
