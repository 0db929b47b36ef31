package dev.tokenbroker.projections.tokenset;

import java.time.Instant;
import java.util.Set;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;

/**
 * A token set's metadata, safe to show to its user or an operator: no ciphertext, no key versions.
 *
 * @param hasRefreshToken whether the broker holds a refresh token (it never leaves the broker)
 */
public record TokenSetSummary(
        TokenSetId tokenSetId,
        String userId,
        String connectorId,
        TokenSetStatus status,
        Set<String> grantedScopes,
        String upstreamSubject,
        String upstreamDisplayName,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        boolean hasRefreshToken,
        long tokenVersion,
        Instant linkedAt,
        Instant lastRefreshedAt,
        TokenSetView.RefreshFailure lastFailure,
        String reauthorizationReason,
        Instant lastHandedOutAt,
        Instant revokedAt,
        Instant erasedAt,
        long version) {
}
