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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;
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
 * <p>Requests are described with Nimbus {@link HTTPRequest}s but sent with the JDK {@link HttpClient}: it
 * bounds connect and response time, and sends bodies with any method (GitHub's revocation is a DELETE
 * with a JSON body, which Nimbus' own transport drops).
 *
 * <p>Logs method, URL without query, status and duration at DEBUG; never headers or bodies, which carry
 * credentials and tokens.
 */
public final class UpstreamHttpClient {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHttpClient.class);

    private final String connectorId;
    private final ConnectorTimeouts timeouts;
    private final Clock clock;
    private final HttpClient client;

    public UpstreamHttpClient(String connectorId, ConnectorTimeouts timeouts, Clock clock) {
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeouts.connect())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
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
        String target = request.getMethod() + " " + withoutQuery(request.getURI());
        long started = System.nanoTime();
        HTTPResponse response;
        try {
            response = transmit(request);
        } catch (HttpTimeoutException e) {
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.builder(ConnectorErrorKind.TRANSIENT, connectorId, operation)
                    .detail(target + " was interrupted").build();
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

    private HTTPResponse transmit(HTTPRequest request) throws IOException, InterruptedException {
        String body = request.getBody();
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.getURI())
                .timeout(timeouts.read())
                .method(request.getMethod().name(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (Map.Entry<String, List<String>> header : request.getHeaderMap().entrySet()) {
            for (String value : header.getValue()) {
                builder.header(header.getKey(), value);
            }
        }
        HttpResponse<String> answer = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        HTTPResponse response = new HTTPResponse(answer.statusCode());
        answer.headers().map().forEach((name, values) -> response.setHeader(name, values.toArray(new String[0])));
        response.setBody(answer.body());
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
