package dev.tokenbroker.connectors.http;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Sends every request of one connector with its bounded timeouts and turns transport failures and
 * "try later" answers into {@link ConnectorErrorKind#TRANSIENT} {@link ConnectorException}s:
 * connect/read timeouts and other I/O errors, HTTP 5xx, HTTP 429, and GitHub's exhausted rate limit
 * (403 with {@code x-ratelimit-remaining: 0}). Everything else is returned for the caller to interpret.
 *
 * <p>Logs method, URL without query, status and duration at DEBUG; never headers or bodies, which carry
 * credentials and tokens.
 */
public final class UpstreamHttpClient {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHttpClient.class);

    private final String connectorId;
    private final ConnectorTimeouts timeouts;
    private final Clock clock;

    public UpstreamHttpClient(String connectorId, ConnectorTimeouts timeouts, Clock clock) {
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String connectorId() {
        return connectorId;
    }

    public ConnectorTimeouts timeouts() {
        return timeouts;
    }

    public Clock clock() {
        return clock;
    }

    public HTTPResponse send(HTTPRequest request, ConnectorOperation operation) {
        request.setConnectTimeout(timeouts.connectMillis());
        request.setReadTimeout(timeouts.readMillis());
        request.setFollowRedirects(false);
        String target = request.getMethod() + " " + withoutQuery(request.getURI());
        long started = System.nanoTime();
        HTTPResponse response;
        try {
            response = request.send();
        } catch (SocketTimeoutException e) {
            log.warn("connector {}: {} timed out after {} ms", connectorId, target, elapsedMillis(started));
            throw ConnectorException.builder(ConnectorErrorKind.TRANSIENT, connectorId, operation)
                    .detail(target + " timed out (connect timeout " + timeouts.connect().toMillis()
                            + " ms, read timeout " + timeouts.read().toMillis() + " ms)")
                    .cause(e).build();
        } catch (IOException e) {
            log.warn("connector {}: {} failed: {}", connectorId, target, e.getClass().getSimpleName());
            throw ConnectorException.builder(ConnectorErrorKind.TRANSIENT, connectorId, operation)
                    .detail(target + " failed: " + e.getClass().getSimpleName())
                    .cause(e).build();
        }
        int status = response.getStatusCode();
        log.debug("connector {}: {} -> {} in {} ms", connectorId, target, status, elapsedMillis(started));
        Optional<Instant> retryAt = retryAt(response);
        boolean rateLimited = status == 429
                || (status == 403 && ("0".equals(response.getHeaderValue("x-ratelimit-remaining")) || retryAt.isPresent()));
        if (status >= 500 || rateLimited) {
            ConnectorException.Builder failure = ConnectorException.builder(ConnectorErrorKind.TRANSIENT, connectorId, operation)
                    .httpStatus(status)
                    .detail(rateLimited ? target + " was rate limited" : target + " answered with a server error");
            retryAt.ifPresent(failure::retryAt);
            log.warn("connector {}: {} -> {}{}", connectorId, target, status, retryAt.map(at -> ", retry at " + at).orElse(""));
            throw failure.build();
        }
        return response;
    }

    private Optional<Instant> retryAt(HTTPResponse response) {
        Optional<Instant> retryAfter = RetryAfter.parse(response.getHeaderValue("Retry-After"), clock);
        if (retryAfter.isPresent()) {
            return retryAfter;
        }
        if ("0".equals(response.getHeaderValue("x-ratelimit-remaining"))) {
            return RetryAfter.parseEpochSeconds(response.getHeaderValue("x-ratelimit-reset"));
        }
        return Optional.empty();
    }

    private static long elapsedMillis(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
    }

    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority() + (uri.getPath() == null ? "" : uri.getPath());
    }
}
