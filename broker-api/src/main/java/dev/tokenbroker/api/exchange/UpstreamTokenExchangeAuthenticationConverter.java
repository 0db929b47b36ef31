package dev.tokenbroker.api.exchange;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads a token-exchange request ({@code grant_type=urn:ietf:params:oauth:grant-type:token-exchange})
 * at the token endpoint into an {@link UpstreamTokenExchangeAuthenticationToken}, answering
 * {@code invalid_request} for what is malformed on its face. Other grant types are left to the next
 * converter. Placed before Spring Authorization Server's own token-exchange converter, which would
 * issue the broker's own tokens instead of the user's upstream one.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.1">RFC 8693 section 2.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8707#section-2">RFC 8707 section 2</a>
 */
public final class UpstreamTokenExchangeAuthenticationConverter implements AuthenticationConverter {

    public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";

    static final String DEFAULT_MIN_VALIDITY = "60";
    private static final long MAX_MIN_VALIDITY = 86_400;
    private static final int MAX_TOKEN_LENGTH = 16_384;

    @Override
    public Authentication convert(HttpServletRequest request) {
        if (!GRANT_TYPE.equals(request.getParameter("grant_type"))) {
            return null;
        }
        Authentication client = SecurityContextHolder.getContext().getAuthentication();
        String subjectToken = single(request, "subject_token", true);
        if (subjectToken.length() > MAX_TOKEN_LENGTH) {
            throw invalidRequest("subject_token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        String subjectTokenType = single(request, "subject_token_type", true);
        if (!SubjectTokenValidator.JWT_TYPE.equals(subjectTokenType)
                && !SubjectTokenValidator.ACCESS_TOKEN_TYPE.equals(subjectTokenType)) {
            throw invalidRequest("subject_token_type must be " + SubjectTokenValidator.JWT_TYPE + " or "
                    + SubjectTokenValidator.ACCESS_TOKEN_TYPE);
        }
        String requested = single(request, "requested_token_type", false);
        if (requested != null && !SubjectTokenValidator.ACCESS_TOKEN_TYPE.equals(requested)) {
            throw invalidRequest("requested_token_type must be " + SubjectTokenValidator.ACCESS_TOKEN_TYPE
                    + " (the upstream access token) or left out");
        }
        if (request.getParameter("actor_token") != null || request.getParameter("actor_token_type") != null) {
            throw invalidRequest("actor_token (delegation) is not supported");
        }
        Set<String> targets = new LinkedHashSet<>();
        for (String name : List.of("resource", "audience")) {
            String[] values = request.getParameterValues(name);
            if (values != null) {
                targets.addAll(List.of(values));
            }
        }
        if (targets.isEmpty()) {
            throw invalidRequest("name the connector in resource (or audience): urn:token-broker:connector:<id>");
        }
        return new UpstreamTokenExchangeAuthenticationToken(client, subjectToken, subjectTokenType,
                new ArrayList<>(targets), minValidity(single(request, "min_validity", false)));
    }

    private static Duration minValidity(String value) {
        String seconds = value == null ? DEFAULT_MIN_VALIDITY : value;
        try {
            long parsed = Long.parseLong(seconds);
            if (parsed >= 0 && parsed <= MAX_MIN_VALIDITY) {
                return Duration.ofSeconds(parsed);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalidRequest("min_validity must be whole seconds from 0 to " + MAX_MIN_VALIDITY);
    }

    private static String single(HttpServletRequest request, String name, boolean required) {
        String[] values = request.getParameterValues(name);
        if (values == null || values.length == 0 || values[0].isEmpty()) {
            if (required) {
                throw invalidRequest(name + " is missing");
            }
            return null;
        }
        if (values.length > 1) {
            throw invalidRequest(name + " is given more than once");
        }
        return values[0];
    }

    static OAuth2AuthenticationException invalidRequest(String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, description, null));
    }
}
