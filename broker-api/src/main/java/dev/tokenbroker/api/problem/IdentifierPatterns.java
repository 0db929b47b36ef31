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

    /**
     * {@link #USER_ID} as a character loop, for the token fetch's fast path: a regular expression's matcher
     * per request is garbage. {@code IdentifierPatternsTest} holds the two to the same answers.
     */
    public static boolean isUserId(String value) {
        int length = value.length();
        if (length < 1 || length > 128) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '|' || c == '+' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@link #CONNECTOR_ID} as a character loop. */
    public static boolean isConnectorId(String value) {
        int length = value.length();
        if (length < 1 || length > 64) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0))) {
                return false;
            }
        }
        return true;
    }

    private IdentifierPatterns() {
    }
}
