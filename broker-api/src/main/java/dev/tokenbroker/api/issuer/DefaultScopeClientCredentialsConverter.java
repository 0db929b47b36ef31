package dev.tokenbroker.api.issuer;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2ClientCredentialsAuthenticationConverter;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * A client-credentials request without {@code scope} gets all the scopes registered for the
 * client, the "pre-defined default value" RFC 6749 section 3.3 allows. Spring Authorization
 * Server would otherwise issue a token without any scope, which no API operation accepts.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-3.3">RFC 6749 section 3.3</a>
 */
public final class DefaultScopeClientCredentialsConverter implements AuthenticationConverter {

    private final OAuth2ClientCredentialsAuthenticationConverter delegate = new OAuth2ClientCredentialsAuthenticationConverter();

    @Override
    public Authentication convert(HttpServletRequest request) {
        Authentication converted = delegate.convert(request);
        if (!(converted instanceof OAuth2ClientCredentialsAuthenticationToken token) || !token.getScopes().isEmpty()) {
            return converted;
        }
        Authentication client = SecurityContextHolder.getContext().getAuthentication();
        if (!(client instanceof OAuth2ClientAuthenticationToken clientToken) || clientToken.getRegisteredClient() == null) {
            return converted;
        }
        return new OAuth2ClientCredentialsAuthenticationToken(clientToken, clientToken.getRegisteredClient().getScopes(),
                token.getAdditionalParameters());
    }
}
