package dev.tokenbroker.core.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Link (or relink) the user's upstream account at a connector with the tokens of a code exchange.
 * Creates the token set if missing; on an existing one it replaces the tokens and starts a new data-key version.
 *
 * <p>Carries plaintext in {@link TokenValue}s: the aggregate encrypts them before anything is applied.
 *
 * @param refreshToken          {@code null} when the IdP issued none
 * @param idToken               {@code null} for plain OAuth 2.0
 * @param accessTokenExpiresAt  {@code null} when the access token does not expire (e.g. GitHub OAuth apps)
 * @param refreshTokenExpiresAt {@code null} when unknown or not expiring
 */
public record LinkTokenSetCommand(
        @TargetAggregateIdentifier TokenSetId tokenSetId,
        String userId,
        String connectorId,
        TokenValue accessToken,
        TokenValue refreshToken,
        TokenValue idToken,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        Set<String> grantedScopes,
        String upstreamSubject,
        String upstreamDisplayName,
        Actor actor,
        String cause) {

    public LinkTokenSetCommand {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(cause, "cause");
        if (!tokenSetId.equals(TokenSetId.of(userId, connectorId))) {
            throw new IllegalArgumentException("tokenSetId must be TokenSetId.of(userId, connectorId)");
        }
        grantedScopes = grantedScopes == null ? Set.of() : Set.copyOf(grantedScopes);
    }
}
