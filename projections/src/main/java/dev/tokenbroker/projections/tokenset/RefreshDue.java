package dev.tokenbroker.projections.tokenset;

import java.time.Instant;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;

/**
 * A token set the scheduler should refresh, as found by {@link TokenSetQueries#dueForRefresh}.
 *
 * @param dueAt               the access-token expiry (ACTIVE) or the retry time (REFRESH_FAILING)
 * @param refreshTokenVersion the refresh-token version the refresh would use: pass it on as
 *                            {@code basedOnRefreshTokenVersion}, so a lost race is recognized
 */
public record RefreshDue(
        TokenSetId tokenSetId,
        String userId,
        String connectorId,
        TokenSetStatus status,
        Instant dueAt,
        long refreshTokenVersion,
        long version) {
}
