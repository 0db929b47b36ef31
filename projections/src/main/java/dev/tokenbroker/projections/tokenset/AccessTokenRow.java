package dev.tokenbroker.projections.tokenset;

import java.time.Instant;
import java.util.Set;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenSetStatus;

/**
 * The part of a {@code token_set_view} row that a token fetch reads (issue 17): the status, the sealed access
 * token with its expiry, scopes and version, and why there may be none. The refresh and ID tokens' ciphertexts,
 * the upstream account and the refresh bookkeeping are not read. The hot path fetches and decodes 9 columns
 * instead of 33, and the token API's read never holds a sealed refresh token.
 */
record AccessTokenRow(
        TokenSetStatus status,
        SealedToken accessToken,
        Instant accessTokenExpiresAt,
        Set<String> grantedScopes,
        long tokenVersion,
        Instant erasedAt,
        Instant revokedAt,
        String reauthorizationReason) {

    /** The same columns of a whole row (one folded from the event store). */
    static AccessTokenRow of(TokenSetView row) {
        return new AccessTokenRow(row.status(), row.accessToken(), row.accessTokenExpiresAt(), row.grantedScopes(),
                row.tokenVersion(), row.erasedAt(), row.revokedAt(), row.reauthorizationReason());
    }
}
