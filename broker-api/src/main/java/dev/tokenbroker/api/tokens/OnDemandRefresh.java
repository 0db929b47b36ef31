package dev.tokenbroker.api.tokens;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import java.time.Duration;

/**
 * Refreshes a token set now (through the refresh coordinator: one upstream refresh for any number
 * of concurrent callers, across instances) so its access token is valid for at least
 * {@code minValidity}.
 */
@FunctionalInterface
public interface OnDemandRefresh {

    /** Outcome of an on-demand refresh, as far as the token API needs to know. */
    enum Outcome { REFRESHED, REAUTHORIZATION_REQUIRED, NOT_LINKED, UPSTREAM_UNAVAILABLE }

    /**
     * What happened. For REFRESHED, {@code token} (never null) is the current access token straight
     * from the refresh coordinator (the read model may not have caught up yet); for UPSTREAM_UNAVAILABLE, {@code retryAfter} may
     * say when to try again.
     */
    record Result(Outcome outcome, CurrentAccessToken.Available token, Duration retryAfter, String detail) {
    }

    Result refresh(TokenSetId tokenSetId, Duration minValidity, String clientId);
}
