package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.time.Instant;
import java.util.Set;

/**
 * What refreshing needs to know about one token set, folded from its events. Token material stays sealed.
 * The refresh-schedule table stores the same fields without the tokens ({@code accessToken}/{@code refreshToken}
 * are then {@code null} and only {@code hasRefreshToken} is known).
 *
 * @param lastSuccessAt  when the token set was last linked or refreshed (event time)
 * @param firstFailureAt when the current run of transient failures began; {@code null} when the last attempt succeeded
 * @param retryAt        after a transient failure: when to try again
 * @param upstreamSubject the linked account's subject at the IdP (from the last link), which a refreshed ID token
 *                        must name; {@code null} in the refresh-schedule table (not stored there)
 */
public record TokenSetRefreshState(
        TokenSetId tokenSetId,
        String connectorId,
        TokenSetStatus status,
        SealedToken accessToken,
        SealedToken refreshToken,
        boolean hasRefreshToken,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        Set<String> grantedScopes,
        long tokenVersion,
        long refreshTokenVersion,
        Instant lastSuccessAt,
        Instant firstFailureAt,
        int consecutiveFailures,
        Instant retryAt,
        String upstreamSubject) {

    /** Without the upstream subject (the refresh-schedule table, older callers). */
    public TokenSetRefreshState(TokenSetId tokenSetId, String connectorId, TokenSetStatus status, SealedToken accessToken,
                                SealedToken refreshToken, boolean hasRefreshToken, Instant accessTokenExpiresAt,
                                Instant refreshTokenExpiresAt, Set<String> grantedScopes, long tokenVersion,
                                long refreshTokenVersion, Instant lastSuccessAt, Instant firstFailureAt,
                                int consecutiveFailures, Instant retryAt) {
        this(tokenSetId, connectorId, status, accessToken, refreshToken, hasRefreshToken, accessTokenExpiresAt,
                refreshTokenExpiresAt, grantedScopes, tokenVersion, refreshTokenVersion, lastSuccessAt, firstFailureAt,
                consecutiveFailures, retryAt, null);
    }

    /** Folds one event of this token set into the state; unknown events leave it unchanged. */
    public static TokenSetRefreshState evolve(TokenSetRefreshState state, Object event, Instant eventTime) {
        if (event instanceof TokenSetLinked linked) {
            return new TokenSetRefreshState(linked.tokenSetId(), linked.connectorId(), TokenSetStatus.ACTIVE,
                    linked.accessToken(), linked.refreshToken(), linked.refreshToken() != null,
                    linked.accessTokenExpiresAt(), linked.refreshTokenExpiresAt(), linked.grantedScopes(),
                    linked.tokenVersion(), linked.refreshTokenVersion(), eventTime, null, 0, null, linked.upstreamSubject());
        }
        if (state == null) {
            return null;
        }
        if (event instanceof TokenSetRefreshed refreshed) {
            boolean rotated = refreshed.refreshToken() != null;
            return new TokenSetRefreshState(state.tokenSetId, state.connectorId, TokenSetStatus.ACTIVE,
                    refreshed.accessToken(), rotated ? refreshed.refreshToken() : state.refreshToken, state.hasRefreshToken || rotated,
                    refreshed.accessTokenExpiresAt(),
                    refreshed.refreshTokenExpiresAt() != null ? refreshed.refreshTokenExpiresAt() : state.refreshTokenExpiresAt,
                    refreshed.grantedScopes().isEmpty() ? state.grantedScopes : refreshed.grantedScopes(),
                    refreshed.tokenVersion(), refreshed.refreshTokenVersion(), eventTime, null, 0, null, state.upstreamSubject);
        }
        if (event instanceof TokenRefreshFailed failed) {
            boolean transientFailure = failed.kind() == RefreshFailureKind.TRANSIENT;
            return new TokenSetRefreshState(state.tokenSetId, state.connectorId,
                    transientFailure ? TokenSetStatus.REFRESH_FAILING : state.status,
                    state.accessToken, state.refreshToken, state.hasRefreshToken, state.accessTokenExpiresAt,
                    state.refreshTokenExpiresAt, state.grantedScopes, state.tokenVersion, state.refreshTokenVersion,
                    state.lastSuccessAt, state.firstFailureAt == null ? eventTime : state.firstFailureAt,
                    failed.consecutiveFailures(), failed.retryAt(), state.upstreamSubject);
        }
        if (event instanceof ReauthorizationRequired) {
            return state.withStatus(TokenSetStatus.REAUTHORIZATION_REQUIRED);
        }
        if (event instanceof TokenSetRevoked) {
            return state.withStatus(TokenSetStatus.REVOKED);
        }
        if (event instanceof TokenSetErased) {
            // The data keys are destroyed: the sealed tokens can never be opened again, so keep none.
            return new TokenSetRefreshState(state.tokenSetId, state.connectorId, TokenSetStatus.ERASED, null, null,
                    state.hasRefreshToken, state.accessTokenExpiresAt, state.refreshTokenExpiresAt, state.grantedScopes,
                    state.tokenVersion, state.refreshTokenVersion, state.lastSuccessAt, state.firstFailureAt,
                    state.consecutiveFailures, state.retryAt, state.upstreamSubject);
        }
        return state;
    }

    /** Only these can be refreshed; every other status needs a new link. */
    public boolean refreshable() {
        return hasRefreshToken && (status == TokenSetStatus.ACTIVE || status == TokenSetStatus.REFRESH_FAILING);
    }

    /** True when the access token expires before {@code now + minValidity} (never for non-expiring tokens). */
    public boolean accessTokenExpiresBefore(Instant instant) {
        return accessTokenExpiresAt != null && accessTokenExpiresAt.isBefore(instant);
    }

    private TokenSetRefreshState withStatus(TokenSetStatus newStatus) {
        return new TokenSetRefreshState(tokenSetId, connectorId, newStatus, accessToken, refreshToken, hasRefreshToken,
                accessTokenExpiresAt, refreshTokenExpiresAt, grantedScopes, tokenVersion, refreshTokenVersion,
                lastSuccessAt, firstFailureAt, consecutiveFailures, retryAt, upstreamSubject);
    }
}
