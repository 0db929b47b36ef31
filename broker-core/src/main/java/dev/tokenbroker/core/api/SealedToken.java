package dev.tokenbroker.core.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * Token material as it appears in events and read models: the AEAD ciphertext plus the data-key
 * version and purpose needed to open it. The plaintext is only recoverable through
 * {@code dev.tokenbroker.core.crypto.TokenCipher} with the token set's data key, which lives in its own
 * table and is destroyed on erase.
 *
 * @param ciphertext Tink AEAD ciphertext (key-id prefix, nonce, ciphertext, tag)
 * @param keyVersion data-key version of the token set that encrypted it
 * @param purpose    which token this is; bound into the associated data
 */
public record SealedToken(byte[] ciphertext, int keyVersion, TokenPurpose purpose) {

    public SealedToken {
        Objects.requireNonNull(ciphertext, "ciphertext");
        Objects.requireNonNull(purpose, "purpose");
        if (keyVersion < 1) {
            throw new IllegalArgumentException("keyVersion must be >= 1");
        }
        ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    // Records compare arrays by reference; events are compared by value (tests, idempotent projections).
    @Override
    public boolean equals(Object other) {
        return other instanceof SealedToken that
                && keyVersion == that.keyVersion
                && purpose == that.purpose
                && Arrays.equals(ciphertext, that.ciphertext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyVersion, purpose, Arrays.hashCode(ciphertext));
    }

    @Override
    public String toString() {
        return "SealedToken[" + purpose + ", keyVersion=" + keyVersion + ", " + ciphertext.length + " bytes]";
    }
}
