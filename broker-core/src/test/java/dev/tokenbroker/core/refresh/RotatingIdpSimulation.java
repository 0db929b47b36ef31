package dev.tokenbroker.core.refresh;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token endpoint that behaves like Keycloak, Auth0 or Okta with refresh-token rotation: every refresh returns a
 * new refresh token and invalidates the old one, and presenting an already used refresh token is treated as theft —
 * the whole grant is revoked. It counts every such reuse, so tests can assert there was none.
 */
final class RotatingIdpSimulation implements AutoCloseable {

    /** A scripted answer for the next refresh call(s). */
    sealed interface Fault permits Status, RateLimited, Slow, InvalidGrant, LateAnswer {
    }

    record Status(int status) implements Fault {
    }

    record RateLimited(int retryAfterSeconds) implements Fault {
    }

    /** Processes the refresh (rotating the token), then answers only after {@code millis}: the answer may be lost to a client timeout. */
    record LateAnswer(long millis) implements Fault {
    }

    /** Stalls, then answers 504 without touching the grant. */
    record Slow(long millis) implements Fault {
    }

    /** Answers invalid_grant after running {@code meanwhile} (e.g. the user relinks while the refresh is in flight). */
    record InvalidGrant(Runnable meanwhile) implements Fault {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(64);
    private final Map<String, Grant> grantsByRefreshToken = new HashMap<>();
    private final AtomicInteger refreshCalls = new AtomicInteger();
    private final AtomicInteger reuses = new AtomicInteger();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicLong latencyMillis = new AtomicLong();
    private volatile int accessTokenSeconds = 3600;
    private volatile boolean rotate = true;

    RotatingIdpSimulation() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/token", this::token);
        server.setExecutor(threads);
        server.start();
    }

    URI tokenUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** A new grant, as after a code exchange: its first refresh token. */
    synchronized String issueGrant() {
        String refreshToken = "rt-" + UUID.randomUUID();
        grantsByRefreshToken.put(refreshToken, new Grant(refreshToken));
        return refreshToken;
    }

    /** Scripts the next answers for the grant that started with this refresh token (other grants are unaffected). */
    synchronized void fail(String firstRefreshToken, Fault... next) {
        grantsByRefreshToken.get(firstRefreshToken).faults.addAll(java.util.List.of(next));
    }

    void accessTokenSeconds(int seconds) {
        accessTokenSeconds = seconds;
    }

    void latency(long millis) {
        latencyMillis.set(millis);
    }

    void rotate(boolean value) {
        rotate = value;
    }

    /** Every refresh token this IdP ever issued, to scan for leaks. */
    synchronized Set<String> issuedRefreshTokens() {
        return Set.copyOf(grantsByRefreshToken.keySet());
    }

    int refreshCalls() {
        return refreshCalls.get();
    }

    int reuses() {
        return reuses.get();
    }

    int maxConcurrent() {
        return maxConcurrent.get();
    }

    synchronized long revokedGrants() {
        return new HashSet<>(grantsByRefreshToken.values()).stream().filter(grant -> grant.revoked).count();
    }

    private void token(HttpExchange exchange) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            refreshCalls.incrementAndGet();
            long latency = latencyMillis.get();
            if (latency > 0) {
                TimeUnit.MILLISECONDS.sleep(latency); // the IdP's own processing time
            }
            Fault fault = nextFault(form.get("refresh_token"));
            if (fault instanceof Status status) {
                respond(exchange, status.status(), "{\"error\":\"server_error\"}", null);
                return;
            }
            if (fault instanceof RateLimited limited) {
                respond(exchange, 429, "{\"error\":\"slow_down\"}", String.valueOf(limited.retryAfterSeconds()));
                return;
            }
            if (fault instanceof Slow slow) {
                // Stalls before processing (an overloaded gateway): the grant is untouched. An IdP that processes the
                // refresh and whose answer is then lost is the in-doubt case, tested in RefreshInDoubtTest.
                TimeUnit.MILLISECONDS.sleep(slow.millis());
                respond(exchange, 504, "{\"error\":\"temporarily_unavailable\"}", null);
                return;
            }
            if (fault instanceof InvalidGrant invalid) {
                invalid.meanwhile().run();
                respond(exchange, 400, "{\"error\":\"invalid_grant\"}", null);
                return;
            }
            String answer = refresh(form.get("refresh_token"));
            if (fault instanceof LateAnswer late) {
                TimeUnit.MILLISECONDS.sleep(late.millis());
            }
            if (answer == null) {
                respond(exchange, 400, "{\"error\":\"invalid_grant\"}", null);
            } else {
                respond(exchange, 200, answer, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            concurrent.decrementAndGet();
            exchange.close();
        }
    }

    private synchronized Fault nextFault(String presented) {
        Grant grant = presented == null ? null : grantsByRefreshToken.get(presented);
        return grant == null ? null : grant.faults.poll();
    }

    private synchronized String refresh(String presented) {
        Grant grant = grantsByRefreshToken.get(presented);
        if (grant == null || grant.revoked) {
            return null;
        }
        if (!grant.current.equals(presented)) {
            // Reuse of a rotated refresh token: revoke the whole grant, as Keycloak/Auth0/Okta do.
            reuses.incrementAndGet();
            grant.revoked = true;
            return null;
        }
        String refreshField = "";
        if (rotate) {
            String next = "rt-" + UUID.randomUUID();
            grant.current = next;
            grantsByRefreshToken.put(next, grant);
            refreshField = ",\"refresh_token\":\"" + next + "\"";
        }
        return "{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                + accessTokenSeconds + refreshField + ",\"scope\":\"read\"}";
    }

    private static void respond(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static final class Grant {
        final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
        String current;
        boolean revoked;

        Grant(String first) {
            this.current = first;
        }
    }
}
