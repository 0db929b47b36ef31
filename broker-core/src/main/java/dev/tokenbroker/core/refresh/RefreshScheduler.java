package dev.tokenbroker.core.refresh;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls {@code refresh_schedule} for due token sets and hands them to the {@link RefreshCoordinator}. Plain Java;
 * the application starts and stops it. Any number of instances may run one: claims are partitioned through the
 * database ({@link RefreshScheduleStore}), and the coordinator's lease guards each upstream call anyway.
 *
 * <p>It claims only as much as the coordinator's workers can start soon (twice the worker count in flight at most),
 * so due work is not hoarded by a busy instance, and polls again at once while full batches keep coming.
 */
public final class RefreshScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RefreshScheduler.class);
    private static final Duration STATUS_COUNT_INTERVAL = Duration.ofSeconds(5);

    private final RefreshScheduleStore schedule;
    private final RefreshCoordinator coordinator;
    private final RefreshSettings settings;
    private final RefreshMetrics metrics;
    private final Clock clock;
    private final String owner;
    private final ScheduledExecutorService poller;
    private volatile Instant statusCountedAt = Instant.EPOCH;

    public RefreshScheduler(RefreshScheduleStore schedule, RefreshCoordinator coordinator, RefreshSettings settings,
                            RefreshMetrics metrics, Clock clock, String instanceId) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.owner = Objects.requireNonNull(instanceId, "instanceId");
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "refresh-scheduler-" + instanceId);
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        poller.scheduleWithFixedDelay(this::pollSafely, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One poll: claims and starts due refreshes until a batch comes back short or the workers are busy. */
    public int poll() {
        int started = 0;
        while (true) {
            int room = settings.maxConcurrentRefreshes() * 2 - coordinator.attemptsInProgress();
            if (room <= 0) {
                break;
            }
            int limit = Math.min(settings.batchSize(), room);
            List<RefreshScheduleStore.DueRefresh> due = schedule.claimDue(owner, limit, settings.leaseDuration());
            for (RefreshScheduleStore.DueRefresh refresh : due) {
                coordinator.refreshIfDue(refresh.tokenSetId(), refresh.dueAt());
            }
            started += due.size();
            if (due.size() < limit) {
                break;
            }
        }
        countStatusesIfTime();
        return started;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            log.warn("Refresh scheduler poll failed ({}); trying again in {}", e.getClass().getSimpleName(), settings.pollInterval());
        }
    }

    private void countStatusesIfTime() {
        Instant now = clock.instant();
        if (statusCountedAt.plus(STATUS_COUNT_INTERVAL).isBefore(now)) {
            statusCountedAt = now;
            metrics.tokenSetsByStatus(schedule.countByStatus());
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
