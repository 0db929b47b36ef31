package dev.tokenbroker.api.exchange;

import dev.tokenbroker.core.api.TokenValue;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * The outcome of a successful exchange: the user's upstream access token, already recorded as handed out
 * to the client. Redacts the token in {@code toString()} (through {@link TokenValue}).
 */
public final class UpstreamAccessTokenAuthenticationToken extends AbstractAuthenticationToken {

    private final Authentication clientPrincipal;
    private final TokenValue accessToken;
    private final Instant expiresAt;
    private final Set<String> scopes;

    /** @param expiresAt {@code null} when the upstream token does not expire */
    public UpstreamAccessTokenAuthenticationToken(Authentication clientPrincipal, TokenValue accessToken,
                                                  Instant expiresAt, Set<String> scopes) {
        super(List.of());
        this.clientPrincipal = Objects.requireNonNull(clientPrincipal, "clientPrincipal");
        this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
        this.expiresAt = expiresAt;
        this.scopes = Set.copyOf(scopes);
        setAuthenticated(true);
    }

    @Override
    public Object getPrincipal() {
        return clientPrincipal;
    }

    @Override
    public Object getCredentials() {
        return "";
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
    public String toString() {
        return "UpstreamAccessTokenAuthenticationToken[client=" + clientPrincipal.getName() + ", accessToken=" + accessToken
                + ", expiresAt=" + expiresAt + "]";
    }
}
