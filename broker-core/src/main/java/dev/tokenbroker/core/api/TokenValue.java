package dev.tokenbroker.core.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A plaintext token value (access, refresh or ID token) on its way into or out of the cipher.
 *
 * <p>Only commands and the query side carry it, never events: Axon does not store commands. It
 * redacts itself in {@code toString()} so a logged command shows no secret, has no bean getter so
 * Jackson refuses to serialize it (an accidental serialization fails loudly instead of leaking), and
 * compares in constant time. Reading the value is made greppable through {@link #reveal()}.
 */
public final class TokenValue {

    private final String value;

    private TokenValue(String value) {
        this.value = value;
    }

    public static TokenValue of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a token value must not be blank");
        }
        return new TokenValue(value);
    }

    /** The plaintext. Call only where the token is sent to its legitimate recipient or encrypted. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenValue that && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        // Constant: a hash of the secret would be a (weak) oracle, and nobody keys maps by token value.
        return 0;
    }

    @Override
    public String toString() {
        return "TokenValue[redacted]";
    }
}
