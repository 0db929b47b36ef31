package dev.tokenbroker.connectors;

import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Tokens from a successful code exchange or refresh, already validated.
 *
 * <p><b>Refresh tokens:</b> an empty {@link #refreshToken()} after a refresh means <em>the IdP issued no
 * new refresh token</em> (Google, and RFC 6749 §6 allows it): the caller must keep the one it has. A
 * present one is a rotation: the caller must persist it before anything else, the old one may already be
 * dead (GitHub Apps). See {@link #issuedNewRefreshToken()}.
 *
 * <p><b>Security:</b> {@link #toString()} redacts every token value.
 *
 * @param accessToken           the access token; {@link AccessToken#getType()} is the token type
 * @param refreshToken          a newly issued refresh token, empty when none was issued
 * @param idToken               the ID token as sent, when the IdP sent one (OIDC)
 * @param idTokenClaims         the claims of {@code idToken}, present only after signature and claims
 *                              validation succeeded
 * @param accessTokenExpiresAt  from {@code expires_in}; empty means the IdP stated no expiry (GitHub OAuth Apps)
 * @param refreshTokenExpiresAt from GitHub's {@code refresh_token_expires_in} (or Keycloak's
 *                              {@code refresh_expires_in}) when sent
 * @param grantedScope          the scope the IdP granted; on exchange falls back to the requested scope
 *                              (RFC 6749 §5.1), on refresh empty means "unchanged"
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.1">RFC 6749 §5.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-6">RFC 6749 §6 (refresh)</a>
 */
public record TokenResult(
        AccessToken accessToken,
        Optional<RefreshToken> refreshToken,
        Optional<JWT> idToken,
        Optional<IDTokenClaimsSet> idTokenClaims,
        Optional<Instant> accessTokenExpiresAt,
        Optional<Instant> refreshTokenExpiresAt,
        Optional<Scope> grantedScope) {

    public TokenResult {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(idToken, "idToken");
        Objects.requireNonNull(idTokenClaims, "idTokenClaims");
        Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
        Objects.requireNonNull(refreshTokenExpiresAt, "refreshTokenExpiresAt");
        Objects.requireNonNull(grantedScope, "grantedScope");
    }

    public AccessTokenType tokenType() {
        return accessToken.getType();
    }

    /** True when the IdP sent a refresh token in this response; false means keep the previous one. */
    public boolean issuedNewRefreshToken() {
        return refreshToken.isPresent();
    }

    public TokenResult withIdTokenClaims(IDTokenClaimsSet claims) {
        return new TokenResult(accessToken, refreshToken, idToken, Optional.of(claims), accessTokenExpiresAt,
                refreshTokenExpiresAt, grantedScope);
    }

    @Override
    public String toString() {
        return "TokenResult[tokenType=" + tokenType()
                + ", accessToken=<redacted>"
                + ", refreshToken=" + (refreshToken.isPresent() ? "<redacted>" : "none issued")
                + ", idToken=" + (idToken.isPresent() ? "<redacted>" : "none")
                + ", accessTokenExpiresAt=" + accessTokenExpiresAt.map(Instant::toString).orElse("none")
                + ", refreshTokenExpiresAt=" + refreshTokenExpiresAt.map(Instant::toString).orElse("none")
                + ", grantedScope=" + grantedScope.map(Scope::toString).orElse("unchanged") + "]";
    }
}
