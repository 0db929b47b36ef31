package dev.tokenbroker.api.refresh;

import dev.tokenbroker.core.refresh.RefreshScheduler;
import java.util.function.Supplier;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link RefreshScheduler} while the application runs. Starts in a late phase, after Axon's processors
 * (so the schedule is being maintained), and stops first.
 */
public final class RefreshSchedulerLifecycle implements SmartLifecycle {

    private final Supplier<RefreshScheduler> schedulers;
    private volatile RefreshScheduler running;

    RefreshSchedulerLifecycle(Supplier<RefreshScheduler> schedulers) {
        this.schedulers = schedulers;
    }

    @Override
    public synchronized void start() {
        if (running == null) {
            running = schedulers.get();
            running.start();
        }
    }

    @Override
    public synchronized void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
