package dev.tokenbroker.api.connect;

import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Bounds the open connect sessions of one API client ({@code broker.connect.max-open-sessions-per-client}).
 *
 * <p>Sessions live in PostgreSQL, so a flood of creations costs no broker memory, but without a bound a
 * runaway or compromised backend could grow the table until the expiry cleanup catches up. Past the quota
 * the answer is {@code 429} with {@code Retry-After} set to when the client's earliest open session expires.
 * The check and the insert are not one transaction: concurrent creations can overshoot by at most the
 * number of requests in flight, which keeps the bound.
 */
final class ConnectSessionQuota {

    private final ConnectSessionStore sessions;
    private final int maxOpenPerClient;

    ConnectSessionQuota(ConnectSessionStore sessions, int maxOpenPerClient) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        if (maxOpenPerClient < 1) {
            throw new IllegalArgumentException("maxOpenPerClient must be at least 1");
        }
        this.maxOpenPerClient = maxOpenPerClient;
    }

    /** Throws a 429 problem when the client already holds the maximum of open sessions. */
    void requireRoomFor(String clientId, Instant now) {
        if (sessions.countOpen(clientId, now, maxOpenPerClient) < maxOpenPerClient) {
            return;
        }
        Duration retryAfter = sessions.earliestOpenExpiry(clientId, now)
                .map(expiry -> Duration.between(now, expiry))
                .filter(wait -> !wait.isNegative() && !wait.isZero())
                .orElse(Duration.ofSeconds(1));
        throw new ApiProblemException(ProblemType.TOO_MANY_CONNECT_SESSIONS,
                "This client holds " + maxOpenPerClient + " open connect sessions, the most allowed"
                        + " (broker.connect.max-open-sessions-per-client); one frees up when it is used or expires",
                retryAfter);
    }
}
