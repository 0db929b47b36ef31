package dev.tokenbroker.projections.tokenset;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;

/**
 * One row of {@code token_set_view}: the current state of a token set as its events left it.
 *
 * <p>Token material is only present as {@link SealedToken}s (ciphertext + data-key version), which
 * redact themselves in {@code toString()}; all three are {@code null} once the token set is erased.
 * When the scheduler refreshes it is not here: that is the refresh schedule's own table
 * ({@code refresh_schedule}, broker-core). API callers want {@link TokenSetQueries} instead.
 *
 * @param accessTokenExpiresAt  {@code null} when the access token does not expire
 * @param refreshToken          {@code null} when the IdP issued none, or after erase
 * @param version               aggregate sequence number of the last event applied to this row
 */
public record TokenSetView(
        TokenSetId tokenSetId,
        String userId,
        String connectorId,
        TokenSetStatus status,
        Set<String> grantedScopes,
        String upstreamSubject,
        String upstreamDisplayName,
        int dataKeyVersion,
        SealedToken accessToken,
        Instant accessTokenExpiresAt,
        SealedToken refreshToken,
        Instant refreshTokenExpiresAt,
        SealedToken idToken,
        long tokenVersion,
        long refreshTokenVersion,
        Instant linkedAt,
        Instant lastRefreshedAt,
        RefreshFailure lastFailure,
        String reauthorizationReason,
        Instant lastHandedOutAt,
        Instant revokedAt,
        UpstreamRevocationOutcome upstreamRevocation,
        Instant erasedAt,
        long version,
        Instant updatedAt) {

    public TokenSetView {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(status, "status");
        grantedScopes = grantedScopes == null ? Set.of() : grantedScopes;
    }

    /**
     * The refresh failures since the last successful link or refresh; {@code null} in the view when there are none.
     *
     * @param retryAt for transient failures: when the scheduler may try again
     */
    public record RefreshFailure(
            RefreshFailureKind kind,
            String errorCode,
            String errorDescription,
            int consecutiveFailures,
            Instant failingSince,
            Instant retryAt) {
    }

    /**
     * This row as {@code token_set_view} gives it back: the scopes sorted (stored as a sorted {@code text[]}) and
     * every instant at PostgreSQL's microsecond precision. A row folded from events ({@link TokenSetViewFromEvents})
     * is read this way, so an answer does not depend on whether the view had the row.
     */
    TokenSetView asStored() {
        RefreshFailure failure = lastFailure == null ? null : new RefreshFailure(lastFailure.kind(),
                lastFailure.errorCode(), lastFailure.errorDescription(), lastFailure.consecutiveFailures(),
                micros(lastFailure.failingSince()), micros(lastFailure.retryAt()));
        return new TokenSetView(tokenSetId, userId, connectorId, status,
                Collections.unmodifiableSortedSet(new TreeSet<>(grantedScopes)), upstreamSubject, upstreamDisplayName,
                dataKeyVersion, accessToken, micros(accessTokenExpiresAt), refreshToken, micros(refreshTokenExpiresAt),
                idToken, tokenVersion, refreshTokenVersion, micros(linkedAt), micros(lastRefreshedAt), failure,
                reauthorizationReason, micros(lastHandedOutAt), micros(revokedAt), upstreamRevocation, micros(erasedAt),
                version, micros(updatedAt));
    }

    /** Rounded half up to the microsecond, as the PostgreSQL driver sends an instant. */
    private static Instant micros(Instant instant) {
        return instant == null ? null : instant.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
    }

    /** The metadata of this row, without any token material. */
    public TokenSetSummary summary() {
        return new TokenSetSummary(tokenSetId, userId, connectorId, status, grantedScopes, upstreamSubject,
                upstreamDisplayName, accessTokenExpiresAt, refreshTokenExpiresAt, refreshToken != null,
                tokenVersion, linkedAt, lastRefreshedAt, lastFailure, reauthorizationReason,
                lastHandedOutAt, revokedAt, erasedAt, version);
    }
}
