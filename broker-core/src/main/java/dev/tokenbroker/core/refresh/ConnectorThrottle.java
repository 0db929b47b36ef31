package dev.tokenbroker.core.refresh;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Per-connector limits on one instance: a semaphore for concurrent upstream calls, a token bucket for the rate,
 * and a pause until an IdP's rate-limit reset ({@code Retry-After} on a 429, GitHub's {@code x-ratelimit-reset}),
 * so one token set's 429 holds back the whole connector rather than being hammered by its neighbours.
 */
public final class ConnectorThrottle {

    private final Semaphore concurrent;
    private final double permitsPerNano;
    private final double burst;
    private final Clock clock;
    private double available;
    private long refilledAtNanos;
    private volatile Instant pausedUntil = Instant.EPOCH;

    public ConnectorThrottle(ConnectorLimit limit, Clock clock) {
        Objects.requireNonNull(limit, "limit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.concurrent = new Semaphore(limit.maxConcurrentRefreshes(), true);
        this.permitsPerNano = limit.refreshesPerSecond() / 1e9;
        this.burst = Math.max(1, limit.refreshesPerSecond());
        this.available = burst;
        this.refilledAtNanos = System.nanoTime();
    }

    /** One permit for one upstream call, or false when none became free before the deadline. */
    public boolean acquire(Instant deadline) throws InterruptedException {
        if (pausedUntil.isAfter(deadline)) {
            return false;
        }
        if (!concurrent.tryAcquire(millisUntil(deadline), TimeUnit.MILLISECONDS)) {
            return false;
        }
        try {
            long pauseMillis = millisUntil(pausedUntil);
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis); // the IdP told us when; the deadline check above bounds this
            }
            while (true) {
                long waitNanos = takeRatePermit();
                if (waitNanos == 0) {
                    return true;
                }
                if (clock.instant().plusNanos(waitNanos).isAfter(deadline)) {
                    concurrent.release();
                    return false;
                }
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
        } catch (InterruptedException e) {
            concurrent.release();
            throw e;
        }
    }

    public void release() {
        concurrent.release();
    }

    /** Holds back every call of this connector until the IdP's rate-limit reset. */
    public void pauseUntil(Instant until) {
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
        }
    }

    /** Calls in flight now (for the in-flight gauge). */
    public int inFlight(ConnectorLimit limit) {
        return limit.maxConcurrentRefreshes() - concurrent.availablePermits();
    }

    private synchronized long takeRatePermit() {
        long now = System.nanoTime();
        available = Math.min(burst, available + (now - refilledAtNanos) * permitsPerNano);
        refilledAtNanos = now;
        if (available >= 1) {
            available -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - available) / permitsPerNano);
    }

    private long millisUntil(Instant instant) {
        long millis = instant.toEpochMilli() - clock.millis();
        return Math.max(0, millis);
    }
}
