package dev.tokenbroker.connectors;

/**
 * Result of {@link Connector#revoke}. Failures are {@link ConnectorException}s, not outcomes.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7009">RFC 7009 OAuth 2.0 Token Revocation</a>
 */
public enum RevocationOutcome {
    /** The IdP confirmed the revocation, or said the token was already invalid (RFC 7009 §2.2). */
    REVOKED,
    /** The IdP offers no revocation; the caller can only forget the tokens (and tell the user). */
    NOT_SUPPORTED
}
