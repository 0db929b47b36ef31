package dev.tokenbroker.connectors;

/**
 * What the caller should do about a failed upstream call. Every connector maps every failure to
 * exactly one of these, so the broker's retry and re-link logic never has to know an IdP.
 */
public enum ConnectorErrorKind {

    /**
     * Try again later: connect or read timeout, HTTP 5xx, HTTP 429 or an exhausted rate limit,
     * {@code temporarily_unavailable}. {@link ConnectorException#retryAt()} says when, if the IdP said.
     */
    TRANSIENT,

    /**
     * The grant is gone for good: {@code invalid_grant}, GitHub's {@code bad_refresh_token}, a revoked
     * or expired refresh token, the user declined consent. The user must link the account again.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.2">RFC 6749 §5.2</a>
     */
    PERMANENT_GRANT,

    /**
     * The broker's registration at the IdP is wrong: {@code invalid_client}, {@code unauthorized_client},
     * a redirect URI the IdP does not accept, a missing endpoint. An operator must fix the configuration;
     * retrying and re-linking will not help.
     */
    CONFIGURATION,

    /**
     * The IdP's answer failed validation: wrong {@code state}, wrong RFC 9207 {@code iss}, an ID token
     * with a bad signature, issuer, audience, expiry or nonce, or a body that does not parse. Treat as a
     * possible attack or a broken IdP; do not link anything from it.
     */
    INVALID_RESPONSE
}
