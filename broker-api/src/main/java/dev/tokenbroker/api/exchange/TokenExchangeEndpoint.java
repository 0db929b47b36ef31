package dev.tokenbroker.api.exchange;

import java.util.Objects;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2TokenEndpointConfigurer;

/**
 * The token-exchange grant's parts, added to Spring Authorization Server's token endpoint by
 * {@link #configure}: its converter goes first (ahead of the built-in token-exchange converter), its
 * provider joins the others, and its response and error handlers delegate every other grant to the
 * standard ones, so client authentication and the client-credentials grant stay as they are.
 */
public final class TokenExchangeEndpoint {

    private final UpstreamTokenExchangeAuthenticationConverter converter;
    private final UpstreamTokenExchangeAuthenticationProvider provider;
    private final UpstreamTokenExchangeResponseHandler responseHandler;
    private final TokenEndpointErrorResponseHandler errorHandler;

    TokenExchangeEndpoint(UpstreamTokenExchangeAuthenticationConverter converter,
                          UpstreamTokenExchangeAuthenticationProvider provider,
                          UpstreamTokenExchangeResponseHandler responseHandler,
                          TokenEndpointErrorResponseHandler errorHandler) {
        this.converter = Objects.requireNonNull(converter, "converter");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.responseHandler = Objects.requireNonNull(responseHandler, "responseHandler");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
    }

    public void configure(OAuth2TokenEndpointConfigurer tokenEndpoint) {
        // accessTokenRequestConverter (not ...Converters): the consumer slot is single and already taken; custom
        // converters are placed ahead of the built-in ones.
        tokenEndpoint.accessTokenRequestConverter(converter)
                .authenticationProvider(provider)
                .accessTokenResponseHandler(responseHandler)
                .errorResponseHandler(errorHandler);
    }
}
