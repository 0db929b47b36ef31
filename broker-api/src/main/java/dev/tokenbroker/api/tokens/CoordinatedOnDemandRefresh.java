package dev.tokenbroker.api.tokens;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.crypto.TokenCipherException;
import dev.tokenbroker.core.refresh.RefreshCoordinator;
import dev.tokenbroker.core.refresh.RefreshOutcome;
import dev.tokenbroker.core.refresh.RefreshResult;
import dev.tokenbroker.core.refresh.RefreshTimeoutException;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The token API's on-demand refresh through the {@link RefreshCoordinator}: one upstream refresh for
 * any number of concurrent callers, across instances. The access token comes back from the event
 * store through the coordinator, with the scopes granted to that very token, so a caller never gets an
 * older token, or a new token with older scopes, from a lagging read model.
 */
final class CoordinatedOnDemandRefresh implements OnDemandRefresh {

    private final RefreshCoordinator coordinator;
    private final TokenCipher cipher;
    private final Clock clock;

    CoordinatedOnDemandRefresh(RefreshCoordinator coordinator, TokenCipher cipher, Clock clock) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Result refresh(TokenSetId tokenSetId, Duration minValidity, String clientId) {
        RefreshResult result;
        try {
            result = coordinator.refreshIfExpiringWithin(tokenSetId, minValidity, Actor.apiClient(clientId));
        } catch (RefreshTimeoutException e) {
            return new Result(Outcome.UPSTREAM_UNAVAILABLE, null, Duration.ofSeconds(5), "refresh still in progress");
        }
        Instant now = clock.instant();
        // An IdP whose tokens live shorter than min_validity cannot do better than a fresh token: hand that out.
        boolean freshFromThisRefresh = result.outcome() == RefreshOutcome.REFRESHED && result.validFor(Duration.ZERO, now);
        if ((result.validFor(minValidity, now) || freshFromThisRefresh) && result.accessToken() != null) {
            try {
                CurrentAccessToken.Available token = new CurrentAccessToken.Available(tokenSetId,
                        cipher.open(tokenSetId, result.accessToken()), result.accessTokenExpiresAt(), result.grantedScopes(),
                        result.status(), result.tokenVersion());
                return new Result(Outcome.REFRESHED, token, null, null);
            } catch (TokenCipherException e) {
                return new Result(Outcome.NOT_LINKED, null, null, "erased");
            }
        }
        if (result.status() == TokenSetStatus.REVOKED || result.status() == TokenSetStatus.ERASED) {
            return new Result(Outcome.NOT_LINKED, null, null, result.status().name());
        }
        switch (result.outcome()) {
            case REAUTHORIZATION_REQUIRED:
                return new Result(Outcome.REAUTHORIZATION_REQUIRED, null, null, null);
            case NOT_REFRESHABLE:
                // No refresh token (or the grant already ended) and the token is not valid long enough.
                return new Result(Outcome.REAUTHORIZATION_REQUIRED, null, null, "not refreshable");
            default:
                Duration retryAfter = result.retryAt() == null ? Duration.ofSeconds(5)
                        : Duration.between(now, result.retryAt()).isNegative() ? Duration.ofSeconds(1)
                        : Duration.between(now, result.retryAt());
                return new Result(Outcome.UPSTREAM_UNAVAILABLE, null, retryAfter, result.outcome().tag());
        }
    }
}
