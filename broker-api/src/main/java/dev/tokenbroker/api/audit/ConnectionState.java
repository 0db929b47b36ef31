package dev.tokenbroker.api.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A token set as it stood at an instant, computed from its events: metadata only (versions and expiries
 * of tokens, never tokens), so it is answered the same after the token set was erased.
 *
 * @param asOfSequenceNumber the last event of the token set taken into account
 * @param lastHandOuts       the latest hand-outs (newest first, at most {@value TokenSetStates#LAST_HAND_OUTS})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ConnectionState(
        UUID tokenSetId,
        String userId,
        String connectorId,
        Instant at,
        long asOfSequenceNumber,
        TokenSetStatus status,
        List<String> scopes,
        String upstreamSubject,
        Integer dataKeyVersion,
        long tokenVersion,
        long refreshTokenVersion,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        Instant linkedAt,
        Instant lastRefreshedAt,
        Failure lastFailure,
        String reauthorizationReason,
        Instant revokedAt,
        String upstreamRevocation,
        Instant erasedAt,
        Instant lastHandedOutAt,
        List<HandOut> lastHandOuts) {

    /** The last failed refresh since the last link or successful refresh. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Failure(String kind, String code, String description, Instant retryAt, Instant at) {
    }

    /** One access token handed to an API client. */
    record HandOut(String clientId, long tokenVersion, Instant at) {
    }
}
