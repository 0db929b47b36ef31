package dev.tokenbroker.connectors;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * What the caller must keep, server side, between sending the browser to the IdP and the callback:
 * it is the only proof that the callback answers <em>our</em> request.
 *
 * <p><b>Security:</b> the code verifier is a secret (RFC 7636 §7.1); {@link #toString()} redacts all
 * values. Store it like a token.
 *
 * @param state          binds the callback to this request (RFC 6749 §10.12)
 * @param codeVerifier   PKCE S256 verifier, empty when the connector has PKCE switched off
 * @param nonce          OIDC nonce bound into the ID token, empty for plain OAuth 2.0
 * @param redirectUri    must be sent again, identically, with the code (RFC 6749 §4.1.3)
 * @param requestedScope the scope asked for; the granted scope when the token response omits it
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7636">RFC 7636 PKCE</a>
 * @see <a href="https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes">OIDC Core §15.5.2</a>
 */
public record PendingAuthorization(
        State state,
        Optional<CodeVerifier> codeVerifier,
        Optional<Nonce> nonce,
        URI redirectUri,
        Scope requestedScope) {

    public PendingAuthorization {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(codeVerifier, "codeVerifier");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(requestedScope, "requestedScope");
    }

    @Override
    public String toString() {
        return "PendingAuthorization[state=<redacted>, codeVerifier=" + (codeVerifier.isPresent() ? "<redacted>" : "none")
                + ", nonce=" + (nonce.isPresent() ? "<redacted>" : "none")
                + ", redirectUri=" + redirectUri + ", requestedScope=" + requestedScope + "]";
    }
}
