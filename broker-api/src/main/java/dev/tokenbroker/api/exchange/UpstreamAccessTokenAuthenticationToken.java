package dev.tokenbroker.api.exchange;

import dev.tokenbroker.core.api.TokenValue;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * The outcome of a successful exchange: the user's upstream access token, already recorded as handed out
 * to the client. An {@link OAuth2AccessTokenAuthenticationToken} because Spring Authorization Server's
 * token endpoint expects one; written by {@link UpstreamTokenExchangeResponseHandler}. Neither
 * {@code toString()} shows the token.
 */
public final class UpstreamAccessTokenAuthenticationToken extends OAuth2AccessTokenAuthenticationToken {

    private final transient TokenValue accessToken;
    private final Instant expiresAt;
    private final Set<String> scopes;

    /** @param expiresAt {@code null} when the upstream token does not expire */
    public UpstreamAccessTokenAuthenticationToken(RegisteredClient client, Authentication clientPrincipal,
                                                  TokenValue accessToken, Instant expiresAt, Set<String> scopes) {
        // No issuedAt: the broker did not issue it, and an upstream token may be at its last second.
        super(client, clientPrincipal, new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, accessToken.reveal(),
                null, expiresAt, scopes), null, Map.of("issued_token_type", SubjectTokenValidator.ACCESS_TOKEN_TYPE));
        this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
        this.expiresAt = expiresAt;
        this.scopes = Set.copyOf(scopes);
    }

    public TokenValue accessToken() {
        return accessToken;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public Set<String> scopes() {
        return scopes;
    }

    @Override
    public boolean equals(Object other) {
        return super.equals(other);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    @Override
    public String toString() {
        return "UpstreamAccessTokenAuthenticationToken[client=" + getRegisteredClient().getClientId()
                + ", accessToken=" + accessToken + ", expiresAt=" + expiresAt + "]";
    }
}
