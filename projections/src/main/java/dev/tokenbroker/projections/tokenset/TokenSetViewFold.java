package dev.tokenbroker.projections.tokenset;

import java.time.Instant;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.projections.tokenset.TokenSetView.RefreshFailure;

/**
 * The token-set view's rules as a fold in memory, for the bulk rebuild: {@code apply(row, event)} gives the row that
 * {@link TokenSetViewRepository}'s statement for that event leaves in the table (same columns, same
 * {@code COALESCE}s, same "apply only when newer" rule), so a rebuild that folds a token set's events and writes the
 * final row once gives the row the streaming projection writes event by event. Kept next to the repository on
 * purpose: a change to one of its statements needs the same change here (ReadModelBulkRebuildTest compares both
 * paths over every kind of event).
 */
public final class TokenSetViewFold {

    private TokenSetViewFold() {
    }

    /**
     * The row after the event; {@code row} itself when the event does not change it (not a {@code TokenSet} event,
     * not newer than the row, or an update of a row that does not exist — which the SQL update also ignores).
     *
     * @param row {@code null} when the token set has no row yet
     */
    public static TokenSetView apply(TokenSetView row, Object event, long sequenceNumber, Instant occurredAt) {
        if (row != null && row.version() >= sequenceNumber) {
            return row;
        }
        if (event instanceof TokenSetLinked linked) {
            // a link replaces the whole state; only the time of the last hand-out survives a relink
            return new TokenSetView(linked.tokenSetId(), linked.userId(), linked.connectorId(), TokenSetStatus.ACTIVE,
                    linked.grantedScopes(), linked.upstreamSubject(), linked.upstreamDisplayName(),
                    linked.dataKeyVersion(), linked.accessToken(), linked.accessTokenExpiresAt(),
                    linked.refreshToken(), linked.refreshTokenExpiresAt(), linked.idToken(),
                    linked.tokenVersion(), linked.refreshTokenVersion(), occurredAt, null, null, null,
                    row == null ? null : row.lastHandedOutAt(), null, null, null, sequenceNumber, occurredAt);
        }
        if (row == null) {
            return null;
        }
        if (event instanceof TokenSetRefreshed refreshed) {
            return new TokenSetView(row.tokenSetId(), row.userId(), row.connectorId(), TokenSetStatus.ACTIVE,
                    refreshed.grantedScopes(), row.upstreamSubject(), row.upstreamDisplayName(), row.dataKeyVersion(),
                    refreshed.accessToken(), refreshed.accessTokenExpiresAt(),
                    refreshed.refreshToken() != null ? refreshed.refreshToken() : row.refreshToken(),
                    refreshed.refreshTokenExpiresAt() != null ? refreshed.refreshTokenExpiresAt() : row.refreshTokenExpiresAt(),
                    refreshed.idToken() != null ? refreshed.idToken() : row.idToken(),
                    refreshed.tokenVersion(), refreshed.refreshTokenVersion(), row.linkedAt(), occurredAt, null, null,
                    row.lastHandedOutAt(), row.revokedAt(), row.upstreamRevocation(), row.erasedAt(),
                    sequenceNumber, occurredAt);
        }
        if (event instanceof TokenRefreshFailed failed) {
            RefreshFailure previous = row.lastFailure();
            Instant failingSince = previous != null && previous.failingSince() != null ? previous.failingSince() : occurredAt;
            RefreshFailure failure = new RefreshFailure(failed.kind(), failed.errorCode(), failed.errorDescription(),
                    failed.consecutiveFailures(), failingSince, failed.retryAt());
            TokenSetStatus status = failed.kind() == RefreshFailureKind.TRANSIENT ? TokenSetStatus.REFRESH_FAILING : row.status();
            return with(row, status, failure, row.reauthorizationReason(), row.lastHandedOutAt(), row.revokedAt(),
                    row.upstreamRevocation(), sequenceNumber, occurredAt);
        }
        if (event instanceof ReauthorizationRequired reauthorization) {
            return with(row, TokenSetStatus.REAUTHORIZATION_REQUIRED, withoutRetry(row.lastFailure()),
                    reauthorization.reason(), row.lastHandedOutAt(), row.revokedAt(), row.upstreamRevocation(),
                    sequenceNumber, occurredAt);
        }
        if (event instanceof AccessTokenHandedOut) {
            return with(row, row.status(), row.lastFailure(), row.reauthorizationReason(), occurredAt, row.revokedAt(),
                    row.upstreamRevocation(), sequenceNumber, occurredAt);
        }
        if (event instanceof TokenSetRevoked revoked) {
            return with(row, TokenSetStatus.REVOKED, withoutRetry(row.lastFailure()), row.reauthorizationReason(),
                    row.lastHandedOutAt(), occurredAt, revoked.upstreamOutcome(), sequenceNumber, occurredAt);
        }
        if (event instanceof TokenSetErased) {
            // the data keys are gone, so the ciphertexts are useless: cleared, as the repository does
            return new TokenSetView(row.tokenSetId(), row.userId(), row.connectorId(), TokenSetStatus.ERASED,
                    row.grantedScopes(), row.upstreamSubject(), row.upstreamDisplayName(), row.dataKeyVersion(),
                    null, row.accessTokenExpiresAt(), null, row.refreshTokenExpiresAt(), null,
                    row.tokenVersion(), row.refreshTokenVersion(), row.linkedAt(), row.lastRefreshedAt(),
                    withoutRetry(row.lastFailure()), row.reauthorizationReason(), row.lastHandedOutAt(),
                    row.revokedAt(), row.upstreamRevocation(), occurredAt, sequenceNumber, occurredAt);
        }
        return row;
    }

    /** The row with new status columns, tokens and everything else kept. */
    private static TokenSetView with(TokenSetView row, TokenSetStatus status, RefreshFailure failure,
                                     String reauthorizationReason, Instant lastHandedOutAt, Instant revokedAt,
                                     UpstreamRevocationOutcome upstreamRevocation, long sequenceNumber,
                                     Instant occurredAt) {
        return new TokenSetView(row.tokenSetId(), row.userId(), row.connectorId(), status, row.grantedScopes(),
                row.upstreamSubject(), row.upstreamDisplayName(), row.dataKeyVersion(), row.accessToken(),
                row.accessTokenExpiresAt(), row.refreshToken(), row.refreshTokenExpiresAt(), row.idToken(),
                row.tokenVersion(), row.refreshTokenVersion(), row.linkedAt(), row.lastRefreshedAt(), failure,
                reauthorizationReason, lastHandedOutAt, revokedAt, upstreamRevocation, row.erasedAt(),
                sequenceNumber, occurredAt);
    }

    /** {@code retry_at = NULL}: the failure columns stay, the retry time goes. */
    private static RefreshFailure withoutRetry(RefreshFailure failure) {
        return failure == null ? null : new RefreshFailure(failure.kind(), failure.errorCode(),
                failure.errorDescription(), failure.consecutiveFailures(), failure.failingSince(), null);
    }
}
