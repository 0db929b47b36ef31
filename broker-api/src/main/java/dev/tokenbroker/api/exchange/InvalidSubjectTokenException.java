package dev.tokenbroker.api.exchange;

/**
 * The subject token is not acceptable (RFC 8693 {@code invalid_grant}). The message is safe to show
 * the client: it names the failed check, never the token or key material.
 */
public final class InvalidSubjectTokenException extends RuntimeException {

    public InvalidSubjectTokenException(String message) {
        super(message, null, false, false);
    }
}
