package dev.tokenbroker.core.api;

/**
 * What happened when the broker asked the IdP to revoke the grant.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7009">RFC 7009: OAuth 2.0 Token Revocation</a>
 */
public enum UpstreamRevocationOutcome {
    /** The IdP confirmed revocation (RFC 7009 answers 200 also for already invalid tokens). */
    REVOKED,
    /** The connector has no revocation endpoint. */
    NOT_SUPPORTED,
    /** The revocation request failed; the tokens may still be valid upstream. */
    FAILED,
    /** Revocation was not attempted (e.g. the admin chose a local-only revoke). */
    NOT_ATTEMPTED
}
