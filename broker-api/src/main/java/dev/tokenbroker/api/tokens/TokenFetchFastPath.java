package dev.tokenbroker.api.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbroker.api.issuer.ApiClient;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.issuer.VerifiedTokenCache;
import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.security.BearerTokenHeaderResolver;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.CacheControlHeadersWriter;
import org.springframework.security.web.header.writers.HstsHeaderWriter;
import org.springframework.security.web.header.writers.XContentTypeOptionsHeaderWriter;
import org.springframework.security.web.header.writers.XXssProtectionHeaderWriter;
import org.springframework.security.web.header.writers.frameoptions.XFrameOptionsHeaderWriter;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * The token fetch's common case — a well-formed {@code GET /v1/users/{userId}/connections/{connector}/token}
 * with a valid API token whose client may read tokens at that connector, and a read-model access token valid
 * for {@code min_validity} — answered ahead of Spring Security's filter chain and Spring MVC. Every other
 * request, and every request this filter has any doubt about, continues down the chain untouched, where the
 * controller answers it in full (refresh, problems, everything else): this filter only ever answers 200.
 *
 * <h2>Why</h2>
 * With the API token's verification and the client lookup cached, most of the remaining CPU of a token
 * fetch was framework routing around a handful of checks: handler lookup twice (Spring Security's
 * request matching, then the dispatcher), content negotiation, message converters, bean validation and
 * some twenty security filters ({@code benchmarks/token-fetch/RESULTS.md}).
 *
 * <h2>Same checks, same components</h2>
 * <ul>
 *   <li>The request: {@code GET}, the path's two variables matching the controller's patterns, no
 *       percent-encoding, path parameters or dot segments (which Spring Security's firewall judges), no query or only
 *       {@code min_validity} as plain decimal digits within the controller's bounds, an {@code Accept} the
 *       controller would serve.</li>
 *   <li>Authentication: the bearer token from {@link BearerTokenHeaderResolver}'s well-formed header, as the
 *       resource server's decoder ({@link VerifiedTokenCache}) verified and remembers it, its authorities from
 *       {@link JwtAuthenticationConverter} as the resource server computes them, then {@link CallingClient}. A
 *       token not verified before goes the full way once (which verifies and remembers it): this filter never
 *       checks a signature, so invalid tokens cost it no more than a hash and a lookup.</li>
 *   <li>The token: {@link AccessTokenRetrieval#retrieveIfValid}, which reads the read model on every request
 *       (read-your-writes: an unlink or erase answered {@code 204} applies at once) and records the hand-out
 *       before the token is written.</li>
 *   <li>The answer: {@link AccessTokenResponse} with the controller's headers and the security headers Spring
 *       Security's default header writers add; tests compare both paths' answers.</li>
 * </ul>
 */
final class TokenFetchFastPath implements Filter {

    static final String PATH_PATTERN = "/v1/users/{userId}/connections/{connector}/token";

    private static final Logger log = LoggerFactory.getLogger(TokenFetchFastPath.class);
    private static final String PREFIX = "/v1/users/";
    private static final String MIDDLE = "/connections/";
    private static final String SUFFIX = "/token";
    private static final String MIN_VALIDITY = "min_validity=";
    private static final long DEFAULT_MIN_VALIDITY = 60;
    private static final long MAX_MIN_VALIDITY = 86_400;

    private final VerifiedTokenCache apiTokens;
    private final JwtAuthenticationConverter authorities = new JwtAuthenticationConverter();
    private final CallingClient callingClient;
    private final ConnectorRegistry connectors;
    private final AccessTokenRetrieval retrieval;
    private final ObjectMapper json;
    private final Clock clock;
    private final List<HeaderWriter> securityHeaders = List.of(new XContentTypeOptionsHeaderWriter(),
            new XXssProtectionHeaderWriter(), new CacheControlHeadersWriter(), new HstsHeaderWriter(),
            new XFrameOptionsHeaderWriter(XFrameOptionsHeaderWriter.XFrameOptionsMode.DENY));

    TokenFetchFastPath(VerifiedTokenCache apiTokens, CallingClient callingClient, ConnectorRegistry connectors,
                       AccessTokenRetrieval retrieval, ObjectMapper json, Clock clock) {
        this.apiTokens = Objects.requireNonNull(apiTokens, "apiTokens");
        this.callingClient = Objects.requireNonNull(callingClient, "callingClient");
        this.connectors = Objects.requireNonNull(connectors, "connectors");
        this.retrieval = Objects.requireNonNull(retrieval, "retrieval");
        this.json = Objects.requireNonNull(json, "json");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) servletRequest;
        HttpServletResponse response = (HttpServletResponse) servletResponse;
        Optional<CurrentAccessToken.Available> token = "GET".equals(request.getMethod()) ? token(request) : Optional.empty();
        if (token.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(context -> context.setPathPattern(PATH_PATTERN));
        ResponseBody body = RESPONSE_BODY.get();
        try {
            json.writeValue(body, AccessTokenResponse.of(token.get(), clock.instant()));
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            response.setHeader(HttpHeaders.PRAGMA, "no-cache");
            for (HeaderWriter writer : securityHeaders) {
                writer.writeHeaders(request, response);
            }
            response.setContentLength(body.size());
            body.writeTo(response.getOutputStream());
        } finally {
            body.reset();
        }
    }

    private static final ThreadLocal<ResponseBody> RESPONSE_BODY = ThreadLocal.withInitial(ResponseBody::new);

    /**
     * The answer's JSON, written once per request into a buffer the thread keeps (a token response is about a
     * kilobyte) instead of a new array per request; zeroed after every use, so no token stays in it.
     */
    private static final class ResponseBody extends ByteArrayOutputStream {
        ResponseBody() {
            super(2048);
        }

        @Override
        public synchronized void reset() {
            Arrays.fill(buf, 0, count, (byte) 0);
            super.reset();
        }
    }

    /** The token to answer with, or empty: the request continues down the chain. */
    private Optional<CurrentAccessToken.Available> token(HttpServletRequest request) {
        String uri = request.getRequestURI();
        if (!uri.startsWith(PREFIX) || !uri.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        int middle = uri.indexOf(MIDDLE, PREFIX.length());
        if (middle < 0) {
            return Optional.empty();
        }
        String userId = uri.substring(PREFIX.length(), middle);
        String connector = uri.substring(middle + MIDDLE.length(), uri.length() - SUFFIX.length());
        long minValidity = minValidity(request.getQueryString());
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (minValidity < 0 || header == null || !BearerTokenHeaderResolver.wellFormed(header)
                || !acceptsJson(request.getHeader(HttpHeaders.ACCEPT))
                || isDotSegment(userId) || !IdentifierPatterns.isUserId(userId)
                || !IdentifierPatterns.isConnectorId(connector)) {
            return Optional.empty();
        }
        try {
            Jwt jwt = apiTokens.remembered(header, BearerTokenHeaderResolver.TOKEN_START);
            if (jwt == null) {
                return Optional.empty();
            }
            AbstractAuthenticationToken authentication = authorities.convert(jwt);
            ApiClient client = callingClient.require(authentication, ApiScope.TOKENS_READ);
            if (!client.allowsConnector(connector) || connectors.find(connector).isEmpty()) {
                return Optional.empty();
            }
            return retrieval.retrieveIfValid(client.clientId(), userId, connector, Duration.ofSeconds(minValidity));
        } catch (RuntimeException e) {
            // An invalid token, a removed client, the database down: the full chain answers it (401, 403, 503).
            log.trace("token fetch continues down the filter chain", e);
            return Optional.empty();
        }
    }

    /**
     * {@code .} and {@code ..} are valid user ids but, as path segments, make a path Spring Security's firewall
     * refuses as not normalized (RFC 3986, section 5.2.4); the full chain answers them.
     */
    private static boolean isDotSegment(String userId) {
        return ".".equals(userId) || "..".equals(userId);
    }

    /** {@code min_validity} when the query is absent or exactly {@code min_validity=<0..86400>}, else -1. */
    static long minValidity(String query) {
        if (query == null) {
            return DEFAULT_MIN_VALIDITY;
        }
        int length = query.length();
        if (!query.startsWith(MIN_VALIDITY) || length == MIN_VALIDITY.length() || length > MIN_VALIDITY.length() + 5
                || (query.charAt(MIN_VALIDITY.length()) == '0' && length > MIN_VALIDITY.length() + 1)) {
            return -1;
        }
        long value = 0;
        for (int i = MIN_VALIDITY.length(); i < length; i++) {
            char c = query.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= MAX_MIN_VALIDITY ? value : -1;
    }

    /** An {@code Accept} the controller ({@code produces = application/json}) serves without negotiation. */
    static boolean acceptsJson(String accept) {
        return accept == null || "*/*".equals(accept) || MediaType.APPLICATION_JSON_VALUE.equals(accept);
    }
}
