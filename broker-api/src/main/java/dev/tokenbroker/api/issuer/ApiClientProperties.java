package dev.tokenbroker.api.issuer;

import dev.tokenbroker.api.problem.IdentifierPatterns;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.clients.<client-id>.*}: API clients created or updated at start-up, for
 * development and simple installs. Production installs manage clients through the admin API.
 */
@ConfigurationProperties("broker")
public record ApiClientProperties(@DefaultValue Map<String, Client> clients) {

    /**
     * @param secret             the client secret; only its hash is stored
     * @param displayName        shown in listings (defaults to the client id)
     * @param scopes             any of connections:write, tokens:read, tokens:exchange, audit:read, admin
     * @param allowedConnectors  connector ids this client may use ({@code *} for all)
     * @param allowedReturnUrls  exact URLs connect flows may return the browser to
     */
    public record Client(
            String secret,
            String displayName,
            @DefaultValue List<String> scopes,
            @DefaultValue List<String> allowedConnectors,
            @DefaultValue List<URI> allowedReturnUrls) {

        @Override
        public String toString() {
            return "Client[secret=<redacted>, displayName=" + displayName + ", scopes=" + scopes
                    + ", allowedConnectors=" + allowedConnectors + ", allowedReturnUrls=" + allowedReturnUrls + "]";
        }
    }

    /** Fails start-up with a message naming the setting and the fix. */
    public void validate() {
        clients.forEach((clientId, client) -> {
            String prefix = "broker.clients." + clientId;
            if (!clientId.matches(IdentifierPatterns.CLIENT_ID)) {
                throw new IllegalArgumentException(prefix + ": client ids use letters, digits, '.', '_' and '-' (1-100)");
            }
            if (client.secret() == null || client.secret().length() < 16) {
                throw new IllegalArgumentException(prefix + ".secret is missing or shorter than 16 characters: "
                        + "set it to a long random value (e.g. `openssl rand -base64 32`)");
            }
            for (String scope : client.scopes()) {
                if (ApiScope.fromValue(scope).isEmpty()) {
                    throw new IllegalArgumentException(prefix + ".scopes contains '" + scope
                            + "': use connections:write, tokens:read, tokens:exchange, audit:read or admin");
                }
            }
            for (URI url : client.allowedReturnUrls()) {
                if (!ApiClient.isRegistrableReturnUrl(url)) {
                    throw new IllegalArgumentException(prefix + ".allowed-return-urls contains '" + url
                            + "': use an absolute https URL without fragment (http only for localhost)");
                }
            }
        });
    }
}
