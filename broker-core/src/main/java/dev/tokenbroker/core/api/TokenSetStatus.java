package dev.tokenbroker.core.api;

/** Where a token set is in its lifecycle; the aggregate decides transitions from it. */
public enum TokenSetStatus {
    /** Linked or refreshed; tokens can be handed out and refreshed. */
    ACTIVE,
    /** The last refresh failed transiently; the current access token may still be valid, retry is scheduled. */
    REFRESH_FAILING,
    /** The grant is dead (e.g. {@code invalid_grant}); only a new link helps. */
    REAUTHORIZATION_REQUIRED,
    /** Revoked by the user or an admin; only a new link helps. */
    REVOKED,
    /** Data keys destroyed: the history stays, the token material is gone. Only a new link helps. */
    ERASED
}
