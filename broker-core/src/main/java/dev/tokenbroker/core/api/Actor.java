package dev.tokenbroker.core.api;

import java.util.Objects;

/**
 * Who caused an event, in clear for audit.
 *
 * @param type             what kind of actor
 * @param id               the user id, the API client id, the admin's id, or {@code "scheduler"}
 * @param connectSessionId for {@link Type#USER}: the connect session the user came through; otherwise {@code null}
 */
public record Actor(Type type, String id, String connectSessionId) {

    public enum Type { USER, SCHEDULER, API_CLIENT, ADMIN }

    public Actor {
        Objects.requireNonNull(type, "type");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("actor id must not be blank");
        }
    }

    /** The end user, acting through a connect session (connect, reconnect). */
    public static Actor user(String userId, String connectSessionId) {
        return new Actor(Type.USER, userId, connectSessionId);
    }

    /** The broker's own refresh scheduler. */
    public static Actor scheduler() {
        return new Actor(Type.SCHEDULER, "scheduler", null);
    }

    /** A backend authenticated with its OAuth 2.0 client credentials. */
    public static Actor apiClient(String clientId) {
        return new Actor(Type.API_CLIENT, clientId, null);
    }

    /** An operator acting through the admin API. */
    public static Actor admin(String adminId) {
        return new Actor(Type.ADMIN, adminId, null);
    }
}
