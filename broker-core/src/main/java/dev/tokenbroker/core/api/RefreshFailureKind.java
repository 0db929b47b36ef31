package dev.tokenbroker.core.api;

/** How a failed upstream refresh is classified by the refresh coordinator. */
public enum RefreshFailureKind {
    /** Network error, 5xx, 429, {@code temporarily_unavailable}: retry at the given time. */
    TRANSIENT,
    /** The IdP rejected the grant ({@code invalid_grant}, {@code unauthorized_client}, ...): re-link needed. */
    PERMANENT
}
