package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.Actor;
import java.time.Duration;
import java.time.Instant;

/**
 * What a refresh request needs: on demand, a minimum validity before {@code deadline}; scheduled, the schedule's
 * rules ({@link RefreshTiming#isDue}) within the lease duration.
 *
 * @param minValidity {@code null} for a scheduled request
 * @param dueAt       the due time the schedule had (for the lag metric); {@code null} on demand
 * @param deadline    when the caller stops waiting (for a lease, a connector permit)
 */
record RefreshDemand(Duration minValidity, Instant dueAt, Actor actor, Instant deadline) {

    static final String TRIGGER_ON_DEMAND = "on_demand";
    static final String TRIGGER_SCHEDULE = "schedule";

    static RefreshDemand onDemand(Duration minValidity, Actor actor, Instant deadline) {
        return new RefreshDemand(minValidity, null, actor, deadline);
    }

    static RefreshDemand scheduled(Instant dueAt, Instant deadline) {
        return new RefreshDemand(null, dueAt, Actor.scheduler(), deadline);
    }

    boolean scheduled() {
        return minValidity == null;
    }

    /** The metric tag {@code trigger} and the events' cause. */
    String trigger() {
        return scheduled() ? TRIGGER_SCHEDULE : TRIGGER_ON_DEMAND;
    }

    boolean needs(TokenSetRefreshState state, Instant now, RefreshTiming timing) {
        if (!state.refreshable()) {
            return false;
        }
        return scheduled() ? timing.isDue(state, now) : state.accessTokenExpiresBefore(now.plus(minValidity));
    }
}
