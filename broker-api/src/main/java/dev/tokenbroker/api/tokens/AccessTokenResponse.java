package dev.tokenbroker.api.tokens;

import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeSet;

/**
 * The token API's answer to {@code GET /v1/users/{userId}/connections/{connector}/token}: the access token
 * and what a backend needs to use it, never the refresh token. Written by the controller and by
 * {@link TokenFetchFastPath} alike.
 *
 * @param expires_in seconds from now, rounded down, {@code null} when the token does not expire
 * @param scope      the granted scopes, space-separated and sorted (RFC 6749, section 3.3)
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.1">RFC 6749, section 5.1</a>
 */
record AccessTokenResponse(String access_token, String token_type, Instant expires_at, Long expires_in, String scope) {

    static AccessTokenResponse of(CurrentAccessToken.Available token, Instant now) {
        Long expiresIn = token.expiresAt() == null ? null : Math.max(0, Duration.between(now, token.expiresAt()).toSeconds());
        return new AccessTokenResponse(token.accessToken().reveal(), "Bearer", token.expiresAt(), expiresIn,
                String.join(" ", new TreeSet<>(token.grantedScopes())));
    }

    @Override
    public String toString() {
        return "AccessTokenResponse[access_token=<redacted>, expires_at=" + expires_at + "]";
    }
}
