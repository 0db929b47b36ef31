package dev.tokenbroker.core.api;

import java.util.Objects;

/**
 * A command the {@code TokenSet} aggregate refused because it breaks a lifecycle rule. Nothing was
 * changed. The {@link Reason} lets the API map it to a problem type without parsing messages.
 */
public final class TokenSetCommandRejectedException extends RuntimeException {

    public enum Reason {
        NO_ACCESS_TOKEN,
        NO_REFRESH_TOKEN,
        REVOKED,
        ERASED,
        REAUTHORIZATION_REQUIRED,
        UNKNOWN_TOKEN_VERSION,
        ALREADY_REVOKED
    }

    private final Reason reason;

    public TokenSetCommandRejectedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
