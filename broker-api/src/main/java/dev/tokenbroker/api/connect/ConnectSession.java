package dev.tokenbroker.api.connect;

import java.net.URI;
import java.time.Instant;

/** One connect session as stored; its sealed authorization secrets are not part of this view. */
public record ConnectSession(
        String sessionId,
        String clientId,
        String userId,
        String connectorId,
        String requestedScopes,
        URI returnTo,
        Status status,
        Instant createdAt,
        Instant expiresAt) {

    public enum Status {
        /** Created by the app's backend; the connect URL has not been opened. */
        CREATED,
        /** The browser was sent to the IdP; waiting for the callback. */
        REDIRECTED,
        /** The callback arrived (linked or failed); the session can never be used again. */
        FINISHED
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
