package dev.tokenbroker.core.crypto;

/**
 * A ciphertext did not authenticate for the token set, purpose and key version it was presented with,
 * or its data key could not be found or unwrapped. Deliberately vague about why (Tink's habit): the
 * cause is kept for operators, the message carries no key or token material.
 */
public final class TokenDecryptionException extends TokenCipherException {

    public TokenDecryptionException(String message) {
        super(message);
    }

    public TokenDecryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
