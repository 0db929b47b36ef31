package dev.tokenbroker.core.api;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * An upstream refresh failed. A permanent failure is followed by {@link ReauthorizationRequired}.
 *
 * @param retryAt                    when to retry; {@code null} for permanent failures
 * @param consecutiveFailures        failures since the last successful link or refresh, this one included
 * @param basedOnRefreshTokenVersion the refresh-token version that was used
 */
@Revision("1")
public record TokenRefreshFailed(
        TokenSetId tokenSetId,
        RefreshFailureKind kind,
        String errorCode,
        String errorDescription,
        Instant retryAt,
        int consecutiveFailures,
        long basedOnRefreshTokenVersion,
        Actor actor,
        String cause) implements TokenSetEvent {
}
