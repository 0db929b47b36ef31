package dev.tokenbroker.api.exchange;

import com.nimbusds.jose.KeySourceException;
import dev.tokenbroker.api.issuer.ApiClient;
import dev.tokenbroker.api.issuer.ApiClientStore;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.tokens.AccessTokenRetrieval;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Exchanges an end user's token from the app's identity provider for that user's upstream access
 * token at one connector. In order: the client holds {@code tokens:exchange}
 * ({@code unauthorized_client}); the target names one connector the client may use
 * ({@code invalid_target}); the subject token is valid ({@code invalid_grant}); then the same
 * retrieval as the token API (read model, single-flight refresh, hand-out recorded with the subject
 * token). A user without a usable link gets {@code invalid_target} with
 * {@code connect_session_required: true}. Nothing is recorded for a refused request.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.2">RFC 8693 section 2.2</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8707#section-2">RFC 8707 section 2</a>
 */
public final class UpstreamTokenExchangeAuthenticationProvider implements AuthenticationProvider {

    /** How a client names a connector in {@code resource} or {@code audience}. */
    public static final String CONNECTOR_URN_PREFIX = "urn:token-broker:connector:";

    private static final Logger log = LoggerFactory.getLogger(UpstreamTokenExchangeAuthenticationProvider.class);

    private final SubjectTokenValidator subjectTokens;
    private final ApiClientStore clients;
    private final ConnectorRegistry connectors;
    private final AccessTokenRetrieval retrieval;

    public UpstreamTokenExchangeAuthenticationProvider(SubjectTokenValidator subjectTokens, ApiClientStore clients,
                                                       ConnectorRegistry connectors, AccessTokenRetrieval retrieval) {
        this.subjectTokens = Objects.requireNonNull(subjectTokens, "subjectTokens");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.connectors = Objects.requireNonNull(connectors, "connectors");
        this.retrieval = Objects.requireNonNull(retrieval, "retrieval");
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        UpstreamTokenExchangeAuthenticationToken request = (UpstreamTokenExchangeAuthenticationToken) authentication;
        OAuth2ClientAuthenticationToken clientPrincipal = authenticatedClient(request);
        RegisteredClient registered = clientPrincipal.getRegisteredClient();
        if (!registered.getScopes().contains(ApiScope.TOKENS_EXCHANGE.value())) {
            throw error(OAuth2ErrorCodes.UNAUTHORIZED_CLIENT, "this client lacks the scope "
                    + ApiScope.TOKENS_EXCHANGE.value());
        }
        ApiClient client = clients.find(registered.getClientId()).filter(found -> !found.disabled())
                .orElseThrow(() -> error(OAuth2ErrorCodes.INVALID_CLIENT, "the client no longer exists"));
        String connector = connector(request, client);
        ValidatedSubject subject = validate(request);
        CurrentAccessToken.Available token;
        try {
            token = retrieval.retrieve(client.clientId(), subject.userId(), connector, request.minValidity(),
                    subject.token());
        } catch (AccessTokenRetrieval.Unavailable e) {
            throw new OAuth2AuthenticationException(switch (e.reason()) {
                case NOT_LINKED -> TokenExchangeError.connectSessionRequired("the user has no linked account at "
                        + "connector '" + connector + "': create a connect session (POST /v1/connect-sessions) "
                        + "for this user and connector", "not_linked");
                case REAUTHORIZATION_REQUIRED -> TokenExchangeError.connectSessionRequired("the user's grant at "
                        + "connector '" + connector + "' ended: create a connect session (POST /v1/connect-sessions) "
                        + "to link again", "reauthorization_required");
                case UPSTREAM_UNAVAILABLE, NO_VALID_TOKEN -> TokenExchangeError.temporarilyUnavailable(
                        "the identity provider could not refresh the token; retry later", e.retryAfter());
            });
        }
        return new UpstreamAccessTokenAuthenticationToken(registered, clientPrincipal, token.accessToken(),
                token.expiresAt(), token.grantedScopes());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UpstreamTokenExchangeAuthenticationToken.class.isAssignableFrom(authentication);
    }

    private static OAuth2ClientAuthenticationToken authenticatedClient(UpstreamTokenExchangeAuthenticationToken request) {
        if (request.getPrincipal() instanceof OAuth2ClientAuthenticationToken client && client.isAuthenticated()
                && client.getRegisteredClient() != null) {
            return client;
        }
        throw error(OAuth2ErrorCodes.INVALID_CLIENT, null);
    }

    /** Exactly one target, naming a configured connector the client may use (RFC 8707 section 2). */
    private String connector(UpstreamTokenExchangeAuthenticationToken request, ApiClient client) {
        if (request.targets().size() != 1) {
            throw error("invalid_target", "name exactly one connector in resource or audience; an exchange hands "
                    + "out one upstream token");
        }
        String target = request.targets().get(0);
        String connector = target.startsWith(CONNECTOR_URN_PREFIX) ? target.substring(CONNECTOR_URN_PREFIX.length()) : null;
        if (connector == null || connectors.find(connector).isEmpty() || !client.allowsConnector(connector)) {
            // One answer for unknown and not allowed: a client learns nothing about connectors it may not use.
            throw error("invalid_target", "'" + target + "' is not a connector this client may use (expected "
                    + CONNECTOR_URN_PREFIX + "<id>)");
        }
        return connector;
    }

    private ValidatedSubject validate(UpstreamTokenExchangeAuthenticationToken request) {
        try {
            return subjectTokens.validate(request.subjectToken(), request.subjectTokenType());
        } catch (InvalidSubjectTokenException e) {
            throw error(OAuth2ErrorCodes.INVALID_GRANT, e.getMessage());
        } catch (KeySourceException e) {
            // The issuer's keys or introspection are unreachable: not the user's token's fault.
            log.warn("Token exchange: cannot check a subject token: {}", e.getMessage());
            throw new OAuth2AuthenticationException(TokenExchangeError.temporarilyUnavailable(
                    "the subject token's issuer cannot be reached to check it; retry later", Duration.ofSeconds(10)));
        }
    }

    private static OAuth2AuthenticationException error(String code, String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(code, description, null));
    }
}
