package dev.tokenbroker.core.api;

import java.time.Instant;
import java.util.Set;
import org.axonframework.serialization.Revision;

/**
 * An upstream refresh succeeded. Sealed under the token set's current data-key version.
 *
 * @param refreshToken               the rotated refresh token; {@code null} when the IdP omitted it, and the previous one stays current
 * @param idToken                    {@code null} when none came back; the previous one stays current
 * @param refreshTokenExpiresAt      {@code null}: unchanged
 * @param tokenVersion               the new access-token version
 * @param refreshTokenVersion        the current refresh-token version after this event (+1 only when rotated)
 * @param basedOnRefreshTokenVersion the refresh-token version that was used for the refresh
 */
@Revision("1")
public record TokenSetRefreshed(
        TokenSetId tokenSetId,
        SealedToken accessToken,
        SealedToken refreshToken,
        SealedToken idToken,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        Set<String> grantedScopes,
        long tokenVersion,
        long refreshTokenVersion,
        long basedOnRefreshTokenVersion,
        Actor actor,
        String cause) implements TokenSetEvent {
}
