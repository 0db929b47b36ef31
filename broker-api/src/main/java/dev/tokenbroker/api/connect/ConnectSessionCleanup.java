package dev.tokenbroker.api.connect;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes connect sessions a day after they expired: long enough to answer support questions about
 * a failed link, short enough that the table does not grow without bound. Safe on every instance
 * (a plain conditional DELETE); run every {@link #INTERVAL} by a {@link dev.tokenbroker.api.database.PeriodicCleanup}.
 */
final class ConnectSessionCleanup {

    private static final Logger log = LoggerFactory.getLogger(ConnectSessionCleanup.class);
    private static final Duration KEEP_EXPIRED = Duration.ofDays(1);
    static final Duration INTERVAL = Duration.ofMinutes(10);

    private final ConnectSessionStore sessions;
    private final Clock clock;

    ConnectSessionCleanup(ConnectSessionStore sessions, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void deleteExpired() {
        int deleted = sessions.deleteExpired(clock.instant().minus(KEEP_EXPIRED));
        if (deleted > 0) {
            log.info("Deleted {} connect sessions that expired more than {} ago", deleted, KEEP_EXPIRED);
        }
    }
}
