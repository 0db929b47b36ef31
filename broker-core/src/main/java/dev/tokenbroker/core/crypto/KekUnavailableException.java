package dev.tokenbroker.core.crypto;

/**
 * The configured key-encryption key cannot be loaded or used. The message names the setting and the
 * fix; it never contains key material (a base64 keyset value is never echoed).
 */
public final class KekUnavailableException extends RuntimeException {

    public KekUnavailableException(String message) {
        super(message);
    }

    public KekUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
