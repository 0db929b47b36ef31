package dev.tokenbroker.api.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * Reads the bearer token of the usual request, {@code Authorization: Bearer <b64token>} and no token parameter, with a
 * character loop; everything else goes to Spring's {@link DefaultBearerTokenResolver}, which answers it as before
 * (malformed token, several tokens, tokens in parameters refused).
 *
 * <p>Why: the default checks the header with a case-insensitive regular expression over the whole JWT (~800
 * characters), a visible share of the token fetch's CPU in the profile (benchmarks/token-fetch/RESULTS.md). The
 * accepted syntax is the same: RFC 6750 section 2.1's {@code b64token}, the scheme name in any case.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6750#section-2.1">RFC 6750, section 2.1</a>
 */
public final class BearerTokenHeaderResolver implements BearerTokenResolver {

    private static final String SCHEME = "Bearer ";

    /** Where the token of a {@linkplain #wellFormed well-formed} header starts; it runs to the header's end. */
    public static final int TOKEN_START = SCHEME.length();

    private final BearerTokenResolver fallback;

    public BearerTokenHeaderResolver() {
        this(new DefaultBearerTokenResolver());
    }

    BearerTokenHeaderResolver(BearerTokenResolver fallback) {
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    @Override
    public String resolve(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && noTokenParameter(request)) {
            String token = wellFormedToken(header);
            if (token != null) {
                return token;
            }
        }
        return fallback.resolve(request);
    }

    /** The default resolver also looks at {@code access_token} parameters (to refuse a second token). */
    private static boolean noTokenParameter(HttpServletRequest request) {
        String contentType = request.getContentType();
        if (HttpMethod.POST.matches(request.getMethod()) && contentType != null
                && contentType.regionMatches(true, 0, MediaType.APPLICATION_FORM_URLENCODED_VALUE, 0,
                MediaType.APPLICATION_FORM_URLENCODED_VALUE.length())) {
            return false;
        }
        return request.getQueryString() == null || request.getParameterValues("access_token") == null;
    }

    /**
     * The token of {@code Bearer <b64token>} (RFC 6750, section 2.1, the scheme in any case), or {@code null} when the
     * header is anything else. Only well-formed; whether the token is valid is the {@code JwtDecoder}'s question.
     */
    public static String wellFormedToken(String header) {
        return wellFormed(header) ? header.substring(SCHEME.length()) : null;
    }

    /** Whether the header is {@code Bearer <b64token>}, without copying the token out of it. */
    public static boolean wellFormed(String header) {
        int length = header.length();
        if (length <= SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        int i = SCHEME.length();
        while (i < length && isToken68Char(header.charAt(i))) {
            i++;
        }
        if (i == SCHEME.length()) {
            return false;
        }
        while (i < length && header.charAt(i) == '=') {
            i++;
        }
        return i == length;
    }

    private static boolean isToken68Char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }
}
