package dev.tokenbroker.connectors;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;

import java.net.URI;
import java.util.Optional;

/**
 * One configured upstream identity provider: the broker's only way to talk OAuth 2.0 / OIDC to it.
 *
 * <p>Implementations are immutable and thread-safe; they hold no per-user state. Every method either
 * returns a validated result or throws a {@link ConnectorException} whose {@link ConnectorErrorKind} tells
 * the caller whether to retry, re-link or alert an operator. Network calls are bounded by the connector's
 * {@link ConnectorTimeouts}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1">RFC 6749 §4.1 authorization code grant</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7636">RFC 7636 PKCE</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9207">RFC 9207 authorization server issuer identification</a>
 * @see <a href="https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth">OIDC Core §3.1</a>
 */
public interface Connector {

    /** The connector id from {@code broker.connectors.<id>}. */
    String id();

    /**
     * Builds the authorization request: fresh {@code state}, PKCE S256 challenge (unless switched off),
     * {@code nonce} for OIDC, the scope and the provider's extra parameters. Makes no network call except,
     * for a discovered OIDC provider, fetching the discovery document once.
     *
     * @param redirectUri the broker's callback URI, registered at the IdP
     * @param scope       the scope to ask for; {@code null} for the configured default
     */
    AuthorizationStart startAuthorization(URI redirectUri, Scope scope);

    /** {@link #startAuthorization(URI, Scope)} with the configured scope. */
    default AuthorizationStart startAuthorization(URI redirectUri) {
        return startAuthorization(redirectUri, null);
    }

    /**
     * Validates the authorization response (RFC 6749 §4.1.2: error or code; {@code state}; RFC 9207
     * {@code iss} when the IdP sends it or promises to), exchanges the code (with the PKCE verifier) and,
     * for OIDC, validates the ID token (signature through the JWKS, {@code iss}, {@code aud}, {@code exp},
     * {@code nonce}).
     *
     * @param callbackUri the full URI the browser came back to, with its query
     * @param pending     what {@link #startAuthorization} returned for this browser
     */
    TokenResult exchange(URI callbackUri, PendingAuthorization pending);

    /**
     * Refreshes the access token (RFC 6749 §6). The result says whether a new refresh token was issued
     * ({@link TokenResult#issuedNewRefreshToken()}); if not, keep the old one.
     *
     * @param narrowerScope a subset of the granted scope, or {@code null} for the same scope
     */
    TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope);

    default TokenResult refresh(RefreshToken refreshToken) {
        return refresh(refreshToken, null);
    }

    /**
     * Refreshes the tokens of a linked account whose upstream subject is known, and refuses an answer for anyone
     * else: when the refresh answer carries a validated ID token, its {@code sub} must be {@code expectedSubject}
     * (OIDC Core §12.2: "its sub Claim Value MUST be the same as in the ID Token issued when the original
     * authentication occurred"). A mismatch throws {@link ConnectorErrorKind#INVALID_RESPONSE} and nothing of the
     * answer may be stored. The broker calls this variant; the two-argument one stays for callers that do not know
     * the account (and for connectors written before it existed).
     *
     * <p>The default implementation calls {@link #refresh(RefreshToken, Scope)} and checks
     * {@link TokenResult#idTokenClaims()}, so every connector that validates ID tokens gets the check; connectors
     * without ID tokens (GitHub, plain OAuth 2.0) are unaffected. Override only to add provider-specific checks, and
     * keep this one.
     *
     * @param expectedSubject the linked account's {@link UpstreamAccount#subject()}; {@code null} when unknown (then
     *                        nothing is compared)
     * @since 0.1 (idpfaults)
     */
    default TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope, String expectedSubject) {
        return requireSubject(id(), refresh(refreshToken, narrowerScope), expectedSubject);
    }

    /**
     * Throws {@link ConnectorErrorKind#INVALID_RESPONSE} when {@code result} has validated ID token claims whose
     * {@code sub} differs from {@code expectedSubject}; returns {@code result} otherwise.
     */
    static TokenResult requireSubject(String connectorId, TokenResult result, String expectedSubject) {
        if (expectedSubject == null || result.idTokenClaims().isEmpty()) {
            return result;
        }
        String refreshedSubject = result.idTokenClaims().get().getSubject() == null
                ? null : result.idTokenClaims().get().getSubject().getValue();
        if (!expectedSubject.equals(refreshedSubject)) {
            // Neither subject is quoted: the message reaches logs and events.
            throw ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, connectorId, ConnectorOperation.REFRESH)
                    .detail("the refreshed ID token is for another subject than the linked account").build();
        }
        return result;
    }

    /**
     * Revokes the grant upstream where the IdP allows it (RFC 7009 with {@code token_type_hint}, or the
     * provider's own API). Revokes the refresh token when given (for most IdPs that ends the whole grant),
     * else the access token.
     *
     * @return {@link RevocationOutcome#NOT_SUPPORTED} when the IdP has no revocation
     */
    RevocationOutcome revoke(AccessToken accessToken, Optional<RefreshToken> refreshToken);

    /** Identifies the upstream account from the validated ID token, the userinfo endpoint or the provider's API. */
    UpstreamAccount identify(TokenResult tokens);
}
