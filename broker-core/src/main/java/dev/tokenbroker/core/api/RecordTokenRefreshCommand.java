package dev.tokenbroker.core.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Record the result of a successful upstream refresh (RFC 6749 section 6). Send it before anything else
 * once the IdP answered: a rotated refresh token must be persisted first.
 *
 * @param refreshToken                {@code null} when the IdP omitted it: the current refresh token stays
 * @param idToken                     {@code null} when none came back
 * @param refreshTokenExpiresAt       {@code null}: unchanged
 * @param grantedScopes               the scopes now granted (pass the previous ones when the IdP omitted {@code scope})
 * @param basedOnRefreshTokenVersion  the {@code refreshTokenVersion} of the refresh token that was used
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-6">RFC 6749, section 6: Refreshing an Access Token</a>
 */
public record RecordTokenRefreshCommand(
        @TargetAggregateIdentifier TokenSetId tokenSetId,
        TokenValue accessToken,
        TokenValue refreshToken,
        TokenValue idToken,
        Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt,
        Set<String> grantedScopes,
        long basedOnRefreshTokenVersion,
        Actor actor,
        String cause) {

    public RecordTokenRefreshCommand {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(cause, "cause");
        grantedScopes = grantedScopes == null ? Set.of() : Set.copyOf(grantedScopes);
    }
}
