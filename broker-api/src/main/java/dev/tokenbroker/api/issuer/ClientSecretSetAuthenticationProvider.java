package dev.tokenbroker.api.issuer;

import java.util.Objects;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Authenticates API clients by {@code client_secret_basic} or {@code client_secret_post}
 * against every active secret of the client, so a new secret can be added before the old one is
 * removed (rotation without downtime). Replaces Spring Authorization Server's single-secret
 * {@code ClientSecretAuthenticationProvider}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1">RFC 6749 section 2.3.1</a>
 */
public final class ClientSecretSetAuthenticationProvider implements AuthenticationProvider {

    private final RegisteredClientRepository clients;
    private final ApiClientSecrets secrets;
    private final ClientAuthenticationGuard guard;

    public ClientSecretSetAuthenticationProvider(RegisteredClientRepository clients, ApiClientSecrets secrets) {
        this(clients, secrets, null);
    }

    /**
     * @param guard bounds the secret checks (bcrypt) running at once; {@code null}: unbounded
     */
    public ClientSecretSetAuthenticationProvider(RegisteredClientRepository clients, ApiClientSecrets secrets,
                                                 ClientAuthenticationGuard guard) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.guard = guard;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        OAuth2ClientAuthenticationToken presented = (OAuth2ClientAuthenticationToken) authentication;
        ClientAuthenticationMethod method = presented.getClientAuthenticationMethod();
        if (!ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(method)
                && !ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(method)) {
            return null;
        }
        String clientId = presented.getPrincipal().toString();
        Object credentials = presented.getCredentials();
        RegisteredClient client = clients.findByClientId(clientId);
        boolean secretMatches = credentials != null && checkSecret(client == null ? "" : clientId, credentials.toString());
        if (client == null || !secretMatches || !client.getClientAuthenticationMethods().contains(method)) {
            // One answer for unknown client and wrong secret: no client enumeration.
            throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
                    "Client authentication failed", null));
        }
        return new OAuth2ClientAuthenticationToken(client, method, credentials);
    }

    private boolean checkSecret(String clientId, String presented) {
        return guard == null ? secrets.matches(clientId, presented) : guard.checkSecret(() -> secrets.matches(clientId, presented));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
