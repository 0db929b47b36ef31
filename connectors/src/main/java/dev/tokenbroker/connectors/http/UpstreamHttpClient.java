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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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
 * <h2>Bounded in time and memory, whatever the IdP does</h2>
 * <ul>
 *   <li>Time: the {@linkplain ConnectorTimeouts#read() read timeout} bounds the wait for the status line and
 *       headers, and a deadline of connect + read timeout from the start of the call bounds the <em>whole</em>
 *       exchange, body included: a body that trickles in byte by byte is abandoned at the deadline (TRANSIENT,
 *       no HTTP status: the answer is lost, the IdP may have processed the request). The connection is then
 *       closed, never returned to the pool.</li>
 *   <li>Memory: at most {@link #MAX_RESPONSE_BYTES} of a body are read; a larger body (declared or actual) is
 *       cut off at once and the connection closed: INVALID_RESPONSE (TRANSIENT for a 5xx/429 status).</li>
 *   <li>Threads: one JDK {@link HttpClient} per connector (one selector thread, a shared idle-expiring worker
 *       pool); calls never start threads of their own.</li>
 * </ul>
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

    /** The largest response body read from an IdP (1 MiB); token, userinfo and discovery answers are a few KiB. */
    public static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private final String connectorId;
    private final ConnectorTimeouts timeouts;
    private final Clock clock;
    private final HttpClient client;
    private final int maxResponseBytes;

    public UpstreamHttpClient(String connectorId, ConnectorTimeouts timeouts, Clock clock) {
        this(connectorId, timeouts, clock, MAX_RESPONSE_BYTES);
    }

    /** @param maxResponseBytes the largest body read, at most {@link #MAX_RESPONSE_BYTES} is the sane choice */
    public UpstreamHttpClient(String connectorId, ConnectorTimeouts timeouts, Clock clock, int maxResponseBytes) {
        if (maxResponseBytes <= 0) {
            throw new IllegalArgumentException("maxResponseBytes must be positive");
        }
        this.maxResponseBytes = maxResponseBytes;
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
        } catch (BoundedBodySubscriber.OversizedResponseException e) {
            int status = e.status();
            boolean tryLater = status >= 500 || status == 429;
            log.warn("connector {}: {} -> {} with a body over {} bytes; not read", connectorId, target, status, maxResponseBytes);
            throw ConnectorException.builder(tryLater ? ConnectorErrorKind.TRANSIENT : ConnectorErrorKind.INVALID_RESPONSE,
                            connectorId, operation)
                    .httpStatus(status)
                    .detail(target + " answered with a body larger than " + maxResponseBytes + " bytes").build();
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
        // 408: the IdP gave up waiting for our request; nothing was processed.
        if (status >= 500 || status == 408 || rateLimited) {
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
        AtomicReference<BoundedBodySubscriber> reader = new AtomicReference<>();
        HttpResponse.BodyHandler<byte[]> bounded = info -> {
            BoundedBodySubscriber subscriber = new BoundedBodySubscriber(info, maxResponseBytes);
            reader.set(subscriber);
            return subscriber;
        };
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(builder.build(), bounded);
        HttpResponse<byte[]> answer;
        try {
            answer = exchange.get(timeouts.connect().plus(timeouts.read()).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abort(exchange, reader.get());
            throw new HttpTimeoutException("no complete response before the deadline");
        } catch (InterruptedException e) {
            abort(exchange, reader.get());
            throw e;
        } catch (ExecutionException e) {
            abort(exchange, reader.get());
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? "failed" : cause.getClass().getSimpleName(), cause);
        }
        HTTPResponse response = new HTTPResponse(answer.statusCode());
        answer.headers().map().forEach((name, values) -> response.setHeader(name, values.toArray(new String[0])));
        response.setBody(new String(answer.body(), StandardCharsets.UTF_8));
        return response;
    }

    /** Gives up on an exchange: stops reading its body and cancels it, so its connection is closed, not pooled. */
    private static void abort(CompletableFuture<?> exchange, BoundedBodySubscriber body) {
        if (body != null) {
            body.abort();
        }
        exchange.cancel(true);
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
