package dev.tokenbroker.connectors.oidc;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.RevocationOutcome;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import dev.tokenbroker.connectors.oauth2.OAuth2Connector;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An OIDC connector configured from the provider's discovery document, fetched on first use rather than at
 * start-up (the broker must start while an IdP is down). A failed fetch is a TRANSIENT or CONFIGURATION
 * {@link dev.tokenbroker.connectors.ConnectorException} and is retried on the next call.
 */
public final class DiscoveringOidcConnector implements Connector {

    private final String id;
    private final Supplier<OAuth2Connector> discovery;
    private volatile OAuth2Connector discovered;

    public DiscoveringOidcConnector(String id, Supplier<OAuth2Connector> discovery) {
        this.id = Objects.requireNonNull(id, "id");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
    }

    private OAuth2Connector delegate() {
        OAuth2Connector connector = discovered;
        if (connector == null) {
            synchronized (this) {
                if (discovered == null) {
                    discovered = discovery.get();
                }
                connector = discovered;
            }
        }
        return connector;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public AuthorizationStart startAuthorization(URI redirectUri, Scope scope) {
        return delegate().startAuthorization(redirectUri, scope);
    }

    @Override
    public TokenResult exchange(URI callbackUri, PendingAuthorization pending) {
        return delegate().exchange(callbackUri, pending);
    }

    @Override
    public TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope) {
        return delegate().refresh(refreshToken, narrowerScope);
    }

    @Override
    public TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope, String expectedSubject) {
        return delegate().refresh(refreshToken, narrowerScope, expectedSubject);
    }

    @Override
    public RevocationOutcome revoke(AccessToken accessToken, Optional<RefreshToken> refreshToken) {
        return delegate().revoke(accessToken, refreshToken);
    }

    @Override
    public UpstreamAccount identify(TokenResult tokens) {
        return delegate().identify(tokens);
    }
}
