package dev.tokenbroker.api.issuer;

import java.util.Arrays;
import java.util.Optional;

/** The scopes an API client can be granted; each guards one family of operations. */
public enum ApiScope {
    /** Create connect sessions, list and delete a user's connections. */
    CONNECTIONS_WRITE("connections:write"),
    /** Fetch a user's upstream access tokens (for the client's allowed connectors only). */
    TOKENS_READ("tokens:read"),
    /**
     * Exchange an end user's token from the app's identity provider for that user's upstream access
     * token (RFC 8693 at {@code POST /oauth2/token}; the client's allowed connectors only). Without
     * {@code tokens:read} the client reaches a user's token only while holding that user's token.
     */
    TOKENS_EXCHANGE("tokens:exchange"),
    /** Read and export the event history. */
    AUDIT_READ("audit:read"),
    /** Manage API clients, signing keys, erase users. */
    ADMIN("admin");

    private final String value;

    ApiScope(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The Spring Security authority a JWT with this scope carries. */
    public String authority() {
        return "SCOPE_" + value;
    }

    public static Optional<ApiScope> fromValue(String value) {
        return Arrays.stream(values()).filter(scope -> scope.value.equals(value)).findFirst();
    }
}
