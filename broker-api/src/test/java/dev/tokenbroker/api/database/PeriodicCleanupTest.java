package dev.tokenbroker.api.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The schedule behind the database housekeeping: a failing run (the database down) does not end it. */
class PeriodicCleanupTest {

    @Test
    void aFailedRunIsTriedAgainAndStopEndsTheSchedule() {
        AtomicInteger runs = new AtomicInteger();
        PeriodicCleanup cleanup = new PeriodicCleanup("test-cleanup", Duration.ofMillis(20), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("database unavailable");
            }
        });

        cleanup.start();
        assertThat(cleanup.isRunning()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);

        cleanup.stop();
        assertThat(cleanup.isRunning()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("test-cleanup")));
    }
}
