package dev.tokenbroker.api.connect;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes connect sessions a day after they expired: long enough to answer support questions about
 * a failed link, short enough that the table does not grow without bound. Safe on every instance
 * (a plain conditional DELETE).
 */
final class ConnectSessionCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConnectSessionCleanup.class);
    private static final Duration KEEP_EXPIRED = Duration.ofDays(1);
    private static final Duration INTERVAL = Duration.ofMinutes(10);

    private final ConnectSessionStore sessions;
    private final Clock clock;
    private ScheduledExecutorService executor;

    ConnectSessionCleanup(ConnectSessionStore sessions, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void deleteExpired() {
        try {
            int deleted = sessions.deleteExpired(clock.instant().minus(KEEP_EXPIRED));
            if (deleted > 0) {
                log.info("Deleted {} connect sessions that expired more than {} ago", deleted, KEEP_EXPIRED);
            }
        } catch (RuntimeException e) {
            log.warn("Deleting expired connect sessions failed ({}); trying again in {}", e.getClass().getSimpleName(), INTERVAL);
        }
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "connect-session-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::deleteExpired, INTERVAL.toSeconds(), INTERVAL.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
