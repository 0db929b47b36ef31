package dev.tokenbroker.core.api;

import java.time.Instant;
import java.util.Objects;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Record a failed upstream refresh. Answered with a {@link RefreshFailureOutcome}.
 *
 * @param errorCode                  the IdP's {@code error} (RFC 6749 section 5.2) or a local code such as {@code network_error}
 * @param errorDescription           the IdP's {@code error_description}, may be {@code null}; never put token material here
 * @param retryAt                    for {@link RefreshFailureKind#TRANSIENT}: when to try again (honoring {@code Retry-After})
 * @param basedOnRefreshTokenVersion the {@code refreshTokenVersion} of the refresh token that was used
 */
public record RecordRefreshFailureCommand(
        @TargetAggregateIdentifier TokenSetId tokenSetId,
        RefreshFailureKind kind,
        String errorCode,
        String errorDescription,
        Instant retryAt,
        long basedOnRefreshTokenVersion,
        Actor actor,
        String cause) {

    public RecordRefreshFailureCommand {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(cause, "cause");
        if (kind == RefreshFailureKind.TRANSIENT) {
            Objects.requireNonNull(retryAt, "retryAt is required for a transient failure");
        }
    }
}
