package dev.tokenbroker.core.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * Identity of one {@code TokenSet} aggregate: one linked upstream account of one user at one connector.
 *
 * <p>The id is derived, not assigned: a name-based UUID of (user id, connector id), so the API, the
 * connect callback and the scheduler all address the same aggregate without a lookup, and linking the
 * same (user, connector) again lands on the existing aggregate (a relink). The derivation is part of
 * the stored format (aggregate identifiers in the event store): never change it.
 *
 * <p>{@link #toString()} is the plain UUID, because Axon stores {@code toString()} of the identifier.
 */
public record TokenSetId(UUID value) {

    public TokenSetId {
        Objects.requireNonNull(value, "value");
    }

    /** The token set of this user at this connector. */
    public static TokenSetId of(String userId, String connectorId) {
        requireText(userId, "userId");
        requireText(connectorId, "connectorId");
        // Length-prefixed so ("ab", "c") and ("a", "bc") can never collide.
        String name = "token-set:" + userId.length() + ":" + userId + ":" + connectorId;
        return new TokenSetId(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
    }

    public static TokenSetId parse(String value) {
        return new TokenSetId(UUID.fromString(value));
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
