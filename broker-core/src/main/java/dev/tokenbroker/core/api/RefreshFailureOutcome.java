package dev.tokenbroker.core.api;

/** The answer to a {@link RecordRefreshFailureCommand}, so the refresh coordinator knows what the aggregate made of it. */
public enum RefreshFailureOutcome {
    /** A transient failure was recorded; retry at the given time. */
    RETRY_SCHEDULED,
    /** A permanent failure was recorded and the token set now requires reauthorization. */
    REAUTHORIZATION_REQUIRED,
    /**
     * Ignored: the refresh token the coordinator used is no longer the current one (a concurrent refresh
     * or relink replaced it), so the failure says nothing about the current grant — a lost race, not a dead grant.
     */
    IGNORED_STALE_REFRESH_TOKEN
}
