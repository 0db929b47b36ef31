package dev.tokenbroker.api.security;

import dev.tokenbroker.api.issuer.ApiClient;
import dev.tokenbroker.api.issuer.ApiClientStore;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import java.util.Arrays;
import java.util.Objects;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The API client behind the current request, looked up from its registration on every request so that a
 * changed registration (connector removed, client disabled or deleted) applies to tokens already issued:
 * at once on the instance that made the change, within {@code broker.issuer.client-cache-ttl} (1 s) on the
 * others (see {@link ApiClientStore#findCurrent(String)}).
 */
public final class CallingClient {

    private final ApiClientStore store;

    public CallingClient(ApiClientStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The client, after checking the token carries one of the scopes. */
    public ApiClient require(Authentication authentication, ApiScope... anyOf) {
        if (!(authentication instanceof JwtAuthenticationToken jwt)) {
            throw new ApiProblemException(ProblemType.UNAUTHORIZED, "A valid API access token is required");
        }
        boolean scoped = false;
        for (GrantedAuthority granted : authentication.getAuthorities()) {
            for (ApiScope scope : anyOf) {
                scoped |= scope.authority().equals(granted.getAuthority());
            }
        }
        if (!scoped) {
            throw new ApiProblemException(ProblemType.INSUFFICIENT_SCOPE, "This operation needs the scope "
                    + String.join(" or ", Arrays.stream(anyOf).map(ApiScope::value).toList()));
        }
        String clientId = jwt.getToken().getClaimAsString("client_id");
        return store.findCurrent(clientId == null ? jwt.getName() : clientId)
                .filter(client -> !client.disabled())
                .orElseThrow(() -> new ApiProblemException(ProblemType.UNAUTHORIZED, "The API client no longer exists"));
    }

    /** The client may use this connector, or the request ends with 403 connector_not_allowed. */
    public void requireConnector(ApiClient client, String connectorId) {
        if (!client.allowsConnector(connectorId)) {
            throw new ApiProblemException(ProblemType.CONNECTOR_NOT_ALLOWED,
                    "Client '" + client.clientId() + "' may not use connector '" + connectorId + "'");
        }
    }
}
