package dev.tokenbroker.connectors;

import java.net.URI;
import java.util.Objects;

/**
 * Where to send the browser, and what to keep until it comes back.
 *
 * @param authorizationUri the complete authorization request URI (RFC 6749 §4.1.1)
 * @param pending          keep server side; pass to {@link Connector#exchange}
 */
public record AuthorizationStart(URI authorizationUri, PendingAuthorization pending) {
    public AuthorizationStart {
        Objects.requireNonNull(authorizationUri, "authorizationUri");
        Objects.requireNonNull(pending, "pending");
    }

    @Override
    public String toString() {
        // The URI carries state, nonce and the PKCE challenge: not secrets, but no reason to log them.
        return "AuthorizationStart[authorizationUri=" + authorizationUri.getScheme() + "://" + authorizationUri.getAuthority()
                + authorizationUri.getPath() + "?<redacted>, pending=" + pending + "]";
    }
}
