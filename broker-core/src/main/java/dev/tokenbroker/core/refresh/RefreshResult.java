package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The answer of {@link RefreshCoordinator}, with the authoritative state it ended with (read from the event store,
 * so it never lags behind the refresh like a read model can).
 *
 * @param connectorId          {@code null} for an unknown token set
 * @param status               the token set's status afterwards; {@code null} for an unknown token set
 * @param tokenVersion         the current access-token version (for {@code RecordAccessTokenHandOutCommand})
 * @param accessToken          the current access token, sealed; open it with the {@code TokenCipher}
 * @param accessTokenExpiresAt {@code null} when it does not expire
 * @param retryAt              for {@link RefreshOutcome#RETRY_SCHEDULED}: when the next attempt is due (a {@code Retry-After} for clients)
 * @param grantedScopes        the scopes granted to {@code accessToken} (the state this result reports); empty when unknown
 */
public record RefreshResult(
        TokenSetId tokenSetId,
        String connectorId,
        RefreshOutcome outcome,
        TokenSetStatus status,
        long tokenVersion,
        SealedToken accessToken,
        Instant accessTokenExpiresAt,
        Instant retryAt,
        Set<String> grantedScopes) {

    public RefreshResult {
        grantedScopes = grantedScopes == null ? Set.of() : Set.copyOf(grantedScopes);
    }

    static RefreshResult of(RefreshOutcome outcome, TokenSetRefreshState state) {
        return new RefreshResult(state.tokenSetId(), state.connectorId(), outcome, state.status(), state.tokenVersion(), state.accessToken(),
                state.accessTokenExpiresAt(), state.retryAt(), state.grantedScopes());
    }

    static RefreshResult unknown(TokenSetId tokenSetId) {
        return new RefreshResult(tokenSetId, null, RefreshOutcome.NOT_REFRESHABLE, null, 0, null, null, null, Set.of());
    }

    /** An unexpected failure before the token set's state was known. */
    static RefreshResult error(TokenSetId tokenSetId) {
        return new RefreshResult(tokenSetId, null, RefreshOutcome.ERROR, null, 0, null, null, null, Set.of());
    }

    /** True when the access token is valid for at least {@code minValidity} after {@code now}. */
    public boolean validFor(Duration minValidity, Instant now) {
        return accessToken != null
                && (status == TokenSetStatus.ACTIVE || status == TokenSetStatus.REFRESH_FAILING)
                && (accessTokenExpiresAt == null || !accessTokenExpiresAt.isBefore(now.plus(minValidity)));
    }
}
