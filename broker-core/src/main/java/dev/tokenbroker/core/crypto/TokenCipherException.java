package dev.tokenbroker.core.crypto;

/** Token material could not be opened. Messages name the token set, purpose and key version, never key or token material. */
public abstract class TokenCipherException extends RuntimeException {

    protected TokenCipherException(String message) {
        super(message);
    }

    protected TokenCipherException(String message, Throwable cause) {
        super(message, cause);
    }
}
