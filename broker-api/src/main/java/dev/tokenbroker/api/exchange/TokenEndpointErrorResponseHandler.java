package dev.tokenbroker.api.exchange;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2ErrorAuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * The token endpoint's error answer (RFC 6749 section 5.2, {@code application/json}): Spring
 * Authorization Server's handler, except for a {@link TokenExchangeError}, whose extension members
 * (e.g. {@code connect_session_required}), status and {@code Retry-After} it adds.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.2.2">RFC 8693 section 2.2.2</a>
 */
public final class TokenEndpointErrorResponseHandler implements AuthenticationFailureHandler {

    private final AuthenticationFailureHandler standard = new OAuth2ErrorAuthenticationFailureHandler();
    private final ObjectMapper json;

    public TokenEndpointErrorResponseHandler(ObjectMapper json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
                                        AuthenticationException exception) throws IOException, ServletException {
        if (!(exception instanceof OAuth2AuthenticationException oauth2)
                || !(oauth2.getError() instanceof TokenExchangeError error)) {
            standard.onAuthenticationFailure(request, response, exception);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.getErrorCode());
        if (error.getDescription() != null) {
            body.put("error_description", error.getDescription());
        }
        body.putAll(error.additional());
        response.setStatus(error.status().value());
        if (error.retryAfter() != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, error.retryAfter().toSeconds())));
        }
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader(HttpHeaders.PRAGMA, "no-cache");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }
}
