package dev.tokenbroker.api.problem;

/**
 * The shapes of identifiers the API accepts, in one place, so every endpoint rejects the same
 * malformed input with the same 400.
 */
public final class IdentifierPatterns {

    /** A user id as the calling app knows its user: opaque, printable, at most 128 characters. */
    public static final String USER_ID = "[A-Za-z0-9._:@|+-]{1,128}";
    /** A connector id as configured under {@code broker.connectors.<id>} (the connectors module's rule). */
    public static final String CONNECTOR_ID = "[a-z0-9][a-z0-9-]{0,63}";
    /** An API client id. */
    public static final String CLIENT_ID = "[A-Za-z0-9._-]{1,100}";

    private IdentifierPatterns() {
    }
}
