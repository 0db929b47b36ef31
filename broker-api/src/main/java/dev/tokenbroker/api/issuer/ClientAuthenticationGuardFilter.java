package dev.tokenbroker.api.issuer;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies the {@link ClientAuthenticationGuard} to {@code POST} requests of the token endpoint, in front of Spring
 * Security: an exhausted failure budget is answered 429 before any secret is checked, saturated secret checks 503;
 * both with {@code Retry-After} and an RFC 6749 §5.2-style JSON error body (what OAuth client libraries parse).
 * A 401 from the token endpoint counts as a failed authentication; any other answer gives the tokens back.
 */
public final class ClientAuthenticationGuardFilter extends OncePerRequestFilter {

    private final ClientAuthenticationGuard guard;
    private final String tokenEndpoint;

    public ClientAuthenticationGuardFilter(ClientAuthenticationGuard guard, String tokenEndpoint) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !tokenEndpoint.equals(request.getRequestURI().substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ClientAuthenticationGuard.Admission admission = guard.admit(clientId(request), request.getRemoteAddr());
        if (!admission.allowed()) {
            reject(response, 429, admission.retryAfterSeconds(),
                    "Too many failed client authentications; retry later");
            return;
        }
        guard.enter(admission);
        try {
            chain.doFilter(request, response);
        } catch (ClientAuthenticationGuard.SecretCheckCapacityExceededException e) {
            guard.undecided(admission);
            rejectBusy(response);
            return;
        } catch (ServletException | RuntimeException e) {
            if (causedBySaturation(e)) {
                guard.undecided(admission);
                rejectBusy(response);
                return;
            }
            guard.undecided(admission);
            throw e;
        } finally {
            guard.exit();
        }
        if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
            return; // a failed authentication: the tokens stay taken
        }
        if (response.getStatus() < 300) {
            guard.succeeded(admission);
        } else {
            guard.undecided(admission);
        }
    }

    private void rejectBusy(HttpServletResponse response) throws IOException {
        if (!response.isCommitted()) {
            reject(response, 503, 1, "Too many client authentications at once; retry later");
        }
    }

    private static boolean causedBySaturation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientAuthenticationGuard.SecretCheckCapacityExceededException) {
                return true;
            }
        }
        return false;
    }

    private static void reject(HttpServletResponse response, int status, long retryAfterSeconds, String description)
            throws IOException {
        response.resetBuffer();
        response.setStatus(status);
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"error\":\"temporarily_unavailable\",\"error_description\":\"" + description + "\"}");
    }

    /** The client id from {@code client_secret_basic} or {@code client_secret_post}; {@code null} when none. */
    static String clientId(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String id = colon < 0 ? decoded : decoded.substring(0, colon);
                return bounded(URLDecoder.decode(id, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return bounded(request.getParameter("client_id"));
    }

    /** Client ids are short; a huge one would only be a way to spend memory in the buckets. */
    private static String bounded(String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            return null;
        }
        return clientId.length() > 200 ? clientId.substring(0, 200) : clientId;
    }
}
