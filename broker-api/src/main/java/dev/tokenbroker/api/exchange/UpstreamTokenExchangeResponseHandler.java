package dev.tokenbroker.api.exchange;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2AccessTokenResponseAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;

/**
 * Writes the RFC 8693 section 2.2.1 answer for an exchange ({@code access_token},
 * {@code issued_token_type}, {@code token_type}, {@code expires_in}, {@code scope}, never cached);
 * every other grant's answer is left to Spring Authorization Server's handler.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.2.1">RFC 8693 section 2.2.1</a>
 */
public final class UpstreamTokenExchangeResponseHandler implements AuthenticationSuccessHandler {

    private final AuthenticationSuccessHandler otherGrants = new OAuth2AccessTokenResponseAuthenticationSuccessHandler();
    private final ObjectMapper json;
    private final Clock clock;

    public UpstreamTokenExchangeResponseHandler(ObjectMapper json, Clock clock) {
        this.json = Objects.requireNonNull(json, "json");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
                                        Authentication authentication) throws IOException, ServletException {
        if (!(authentication instanceof UpstreamAccessTokenAuthenticationToken exchanged)) {
            otherGrants.onAuthenticationSuccess(request, response, authentication);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", exchanged.accessToken().reveal());
        body.put("issued_token_type", SubjectTokenValidator.ACCESS_TOKEN_TYPE);
        body.put("token_type", "Bearer");
        if (exchanged.expiresAt() != null) {
            body.put("expires_in", Math.max(0, Duration.between(clock.instant(), exchanged.expiresAt()).toSeconds()));
        }
        if (!exchanged.scopes().isEmpty()) {
            body.put("scope", String.join(" ", new TreeSet<>(exchanged.scopes())));
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader(HttpHeaders.PRAGMA, "no-cache");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }
}
