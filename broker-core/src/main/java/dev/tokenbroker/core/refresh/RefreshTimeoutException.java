package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetId;
import java.time.Duration;

/**
 * The on-demand caller waited {@code broker.refresh.on-demand-wait-timeout} and the refresh had not finished (the
 * IdP is slow, the connector's limits are saturated, or another instance holds the lease). The refresh itself goes
 * on in the background; the token API should answer 503 with a short {@code Retry-After}.
 */
public final class RefreshTimeoutException extends RuntimeException {

    private final TokenSetId tokenSetId;
    private final Duration waited;

    public RefreshTimeoutException(TokenSetId tokenSetId, Duration waited) {
        super("Refresh of token set " + tokenSetId + " did not finish within " + waited);
        this.tokenSetId = tokenSetId;
        this.waited = waited;
    }

    public TokenSetId tokenSetId() {
        return tokenSetId;
    }

    public Duration waited() {
        return waited;
    }
}
