package dev.tokenbroker.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Security headers for the pages a browser sees: the connect redirect ({@code /v1/connect/{id}}), the IdP callback
 * ({@code /v1/oauth/callback}) with its redirect back to the app or its error page, and the demo pages
 * ({@code /demo/**}), including the error page Spring renders for them.
 *
 * <ul>
 *   <li>{@code Content-Security-Policy: default-src 'none'; base-uri 'none'; form-action 'none';
 *       frame-ancestors 'none'} — these pages are fixed text or redirects: no scripts, styles, images, forms or
 *       frames at all, and nobody may frame them (clickjacking of the consent step);</li>
 *   <li>{@code X-Frame-Options: DENY} for browsers without CSP level 2;</li>
 *   <li>{@code Referrer-Policy: no-referrer} — the callback URL carries the authorization code and state, the connect
 *       URL the session id: neither may leak to the next site in a {@code Referer};</li>
 *   <li>{@code Cache-Control: no-store} (and {@code Pragma: no-cache}) — nothing here may be replayed from a cache;</li>
 *   <li>{@code X-Content-Type-Options: nosniff}.</li>
 * </ul>
 * Set before the request is handled, so error answers carry them too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 50)
public final class BrowserPageHeadersFilter extends OncePerRequestFilter {

    public static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        Object errorUri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String uri = errorUri instanceof String original ? original : request.getRequestURI();
        String path = uri.substring(Math.min(request.getContextPath().length(), uri.length()));
        return !isBrowserPage(path);
    }

    static boolean isBrowserPage(String path) {
        return path.startsWith("/v1/connect/") || path.equals("/v1/oauth/callback") || path.startsWith("/demo/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader(HttpHeaders.PRAGMA, "no-cache");
        response.setHeader("X-Content-Type-Options", "nosniff");
        chain.doFilter(request, response);
    }
}
