package dev.tokenbroker.connectors.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A failure the kit asks a {@link SimulatedIdp} to produce on its next token endpoint request. The simulation
 * answers the way <em>its</em> IdP does (status, headers, body); the kit checks the connector classifies it.
 *
 * @param reason     what goes wrong
 * @param retryAfter for {@link Reason#RATE_LIMITED_FOR}: the delay to announce (seconds)
 * @param retryAt    for {@link Reason#RATE_LIMITED_UNTIL}: the instant to announce, whole seconds
 */
public record SimulatedFailure(Reason reason, Duration retryAfter, Instant retryAt) {

    /** What the IdP is made to say. The expected {@code ConnectorErrorKind} is in brackets. */
    public enum Reason {
        /** HTTP 5xx [TRANSIENT]. */
        SERVER_ERROR,
        /** HTTP 429 (or the IdP's rate-limit answer) announcing a delay in seconds [TRANSIENT, retry-at]. */
        RATE_LIMITED_FOR,
        /** Rate limited until an instant: Retry-After HTTP-date or GitHub's x-ratelimit-reset [TRANSIENT, retry-at]. */
        RATE_LIMITED_UNTIL,
        /** The refresh token is revoked or expired: invalid_grant, GitHub bad_refresh_token [PERMANENT_GRANT]. */
        GRANT_REVOKED,
        /** Client authentication failed: invalid_client, GitHub incorrect_client_credentials [CONFIGURATION]. */
        CLIENT_REJECTED,
        /** The client may not use this grant: unauthorized_client [CONFIGURATION]. */
        CLIENT_NOT_AUTHORIZED,
        /** The code exchange's redirect_uri does not match the registration [CONFIGURATION]. */
        REDIRECT_URI_MISMATCH,
        /** A correct answer, but later than {@link ConnectorTestKit#READ_TIMEOUT} allows [TRANSIENT]. */
        SLOW_RESPONSE
    }

    public SimulatedFailure {
        Objects.requireNonNull(reason, "reason");
    }

    public static SimulatedFailure of(Reason reason) {
        return new SimulatedFailure(reason, null, null);
    }

    public static SimulatedFailure rateLimitedFor(Duration retryAfter) {
        return new SimulatedFailure(Reason.RATE_LIMITED_FOR, retryAfter, null);
    }

    public static SimulatedFailure rateLimitedUntil(Instant retryAt) {
        return new SimulatedFailure(Reason.RATE_LIMITED_UNTIL, null, retryAt);
    }
}
