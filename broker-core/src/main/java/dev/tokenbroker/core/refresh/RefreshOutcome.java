package dev.tokenbroker.core.refresh;

/** What one refresh request ended with. The metric tag {@code outcome} is {@link #tag()}. */
public enum RefreshOutcome {
    /** This request refreshed the token set at the IdP and persisted the result. */
    REFRESHED,
    /** Nothing to do: the token set is fresh enough (possibly because another caller or instance just refreshed it). */
    ALREADY_FRESH,
    /** A transient failure was recorded; {@link RefreshResult#retryAt()} says when the next attempt is due. */
    RETRY_SCHEDULED,
    /** The IdP rejected the grant (or transient failures lasted too long): the user must link again. */
    REAUTHORIZATION_REQUIRED,
    /** {@code invalid_grant} for a refresh token that was replaced meanwhile: a lost race, not a dead grant; the token set stays usable. */
    LOST_RACE,
    /** The token set cannot be refreshed: unknown, no refresh token, revoked, erased or already requiring reauthorization. */
    NOT_REFRESHABLE,
    /** Another instance holds the refresh lease, or the connector's limits gave no permit in time; nothing was called. */
    BUSY,
    /**
     * Something unexpected failed (the database, a bug); logged at ERROR with the exception class. Nothing is recorded on
     * the token set; an on-demand caller gets an exception, the scheduler tries again when the token set is next due.
     */
    ERROR;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
