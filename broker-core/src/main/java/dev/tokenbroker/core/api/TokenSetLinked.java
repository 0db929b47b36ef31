package dev.tokenbroker.core.api;

import java.time.Instant;
import java.util.Set;
import org.axonframework.serialization.Revision;

/**
 * The user linked (or relinked) an upstream account: the tokens of a code exchange, encrypted under a
 * new data-key version of this token set.
 *
 * @param refreshToken          {@code null} when the IdP issued none
 * @param idToken               {@code null} for plain OAuth 2.0
 * @param accessTokenExpiresAt  {@code null} when the access token does not expire
 * @param refreshTokenExpiresAt {@code null} when unknown or not expiring
 * @param dataKeyVersion        the data-key version every token of this event is sealed under (starts at 1, +1 per relink)
 * @param tokenVersion          access-token version, +1 on every link and refresh, never reset
 * @param refreshTokenVersion   refresh-token version, +1 whenever a new refresh token is stored, never reset
 * @param relink                {@code true} when it replaced the tokens of an earlier link
 */
@Revision("1")
public record TokenSetLinked(
        TokenSetId tokenSetId,
        String userId,
        String connectorId,
        SealedToken accessToken,
        SealedToken refreshToken,
        SealedToken idToken,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        Set<String> grantedScopes,
        String upstreamSubject,
        String upstreamDisplayName,
        int dataKeyVersion,
        long tokenVersion,
        long refreshTokenVersion,
        boolean relink,
        Actor actor,
        String cause) implements TokenSetEvent {
}
