package dev.tokenbroker.api.issuer;

import java.time.Duration;
import java.util.Objects;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Presents {@link ApiClientStore} registrations to Spring Authorization Server: every client
 * may only use the client-credentials grant, authenticating with {@code client_secret_basic} or
 * {@code client_secret_post} (RFC 6749 section 2.3.1). Secrets are checked by
 * {@link ClientSecretSetAuthenticationProvider}, so the registered client carries none.
 */
public final class ApiClientRegisteredClientRepository implements RegisteredClientRepository {

    private final ApiClientStore store;
    private final Duration accessTokenTimeToLive;

    public ApiClientRegisteredClientRepository(ApiClientStore store, Duration accessTokenTimeToLive) {
        this.store = Objects.requireNonNull(store, "store");
        this.accessTokenTimeToLive = Objects.requireNonNull(accessTokenTimeToLive, "accessTokenTimeToLive");
    }

    @Override
    public void save(RegisteredClient registeredClient) {
        throw new UnsupportedOperationException("API clients are managed through the admin API or configuration");
    }

    @Override
    public RegisteredClient findById(String id) {
        return findByClientId(id);
    }

    @Override
    public RegisteredClient findByClientId(String clientId) {
        if (clientId == null || clientId.length() > 100) {
            return null;
        }
        return store.find(clientId).filter(client -> !client.disabled()).map(this::toRegisteredClient).orElse(null);
    }

    private RegisteredClient toRegisteredClient(ApiClient client) {
        return RegisteredClient.withId(client.clientId())
                .clientId(client.clientId())
                .clientName(client.displayName())
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scopes(scopes -> client.scopes().forEach(scope -> scopes.add(scope.value())))
                .tokenSettings(TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .accessTokenTimeToLive(accessTokenTimeToLive)
                        .build())
                .build();
    }
}
