package dev.tokenbroker.api.database;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one housekeeping task of the database (a conditional DELETE that is safe on every instance) on its own
 * daemon thread, first one interval after start and then one interval after each run ends. A failure (the database
 * down) is logged and the task tried again at the next interval; it never stops the schedule.
 */
public final class PeriodicCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicCleanup.class);

    private final String name;
    private final Duration interval;
    private final Runnable task;
    private ScheduledExecutorService executor;

    /** @param name names the thread and the log line, e.g. {@code connect-session-cleanup} */
    public PeriodicCleanup(String name, Duration interval, Runnable task) {
        this.name = Objects.requireNonNull(name, "name");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.task = Objects.requireNonNull(task, "task");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
    }

    private void runSafely() {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{} failed ({}); trying again in {}", name, e.getClass().getSimpleName(), interval);
        }
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::runSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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
