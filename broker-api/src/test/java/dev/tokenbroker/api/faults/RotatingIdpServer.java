package dev.tokenbroker.api.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth 2.0 IdP over HTTP for real broker processes: {@code /authorize} approves at once (redirect with a
 * code), {@code /token} exchanges codes and refreshes with rotation — every refresh returns a new refresh token
 * and invalidates the old one; presenting a used refresh token is theft and revokes the whole grant (counted as
 * reuse). {@code /userinfo} names the account. Per grant it knows the latest refresh token it issued and whether
 * it was ever presented: an issued but never presented rotation is an answer the broker lost.
 */
final class RotatingIdpServer implements AutoCloseable {

    static final class Grant {
        final String subject;
        String current;
        String previous;
        boolean currentPresented = true;
        boolean revoked;
        int rotations;
        /** The broker instance (the last segment of its token URI, {@code /token/<instance>}) the latest rotation went to. */
        String currentIssuedTo = "";

        Grant(String subject, String first) {
            this.subject = subject;
            this.current = first;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(32);
    private final Map<String, String> codes = new HashMap<>();
    private final Map<String, Grant> byRefreshToken = new HashMap<>();
    private final Map<String, Grant> bySubject = new HashMap<>();
    private final Map<String, String> subjectByAccessToken = new HashMap<>();
    final AtomicInteger refreshCalls = new AtomicInteger();
    /** Presentations of a refresh token that was already rotated away, other than an in-doubt retry. */
    final AtomicInteger reuses = new AtomicInteger();
    /** The previous refresh token presented again while its successor was never used: a lost answer, retried once. */
    final AtomicInteger inDoubtRetries = new AtomicInteger();
    final AtomicInteger answeredRotations = new AtomicInteger();
    /** Token requests received, counted before the simulated latency: a request counted here is in flight. */
    final AtomicInteger tokenRequestsReceived = new AtomicInteger();
    /** Per in-doubt retry: the grant's subject and the instance whose rotation answer was lost (never presented). */
    final Map<String, String> inDoubtRetriesBySubject = new java.util.concurrent.ConcurrentHashMap<>();
    /** Subjects whose grant saw a reuse other than an in-doubt retry. */
    final java.util.Set<String> reusedSubjects = java.util.concurrent.ConcurrentHashMap.newKeySet();
    volatile int accessTokenSeconds = 3600;
    volatile long latencyMillis = 30;

    RotatingIdpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.createContext("/userinfo", this::userinfo);
        server.setExecutor(threads);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        String code = "code-" + UUID.randomUUID();
        synchronized (this) {
            codes.put(code, query.getOrDefault("login_hint", "sub-" + UUID.randomUUID()));
        }
        String location = query.get("redirect_uri") + "?code=" + code + "&state="
                + URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String path = exchange.getRequestURI().getPath();
        String instance = path.startsWith("/token/") ? path.substring("/token/".length()) : "";
        tokenRequestsReceived.incrementAndGet();
        sleep(latencyMillis);
        String body;
        int status = 200;
        synchronized (this) {
            if ("authorization_code".equals(form.get("grant_type"))) {
                String subject = codes.remove(form.get("code"));
                if (subject == null) {
                    status = 400;
                    body = "{\"error\":\"invalid_grant\"}";
                } else {
                    String refresh = "rt-" + UUID.randomUUID();
                    Grant grant = new Grant(subject, refresh);
                    grant.currentIssuedTo = instance;
                    byRefreshToken.put(refresh, grant);
                    bySubject.put(subject, grant);
                    body = tokens(grant, refresh);
                }
            } else if ("refresh_token".equals(form.get("grant_type"))) {
                refreshCalls.incrementAndGet();
                String presented = form.get("refresh_token");
                Grant grant = byRefreshToken.get(presented);
                if (grant == null || grant.revoked) {
                    status = 400;
                    body = "{\"error\":\"invalid_grant\"}";
                } else if (!presented.equals(grant.current)) {
                    if (presented.equals(grant.previous) && !grant.currentPresented) {
                        // the broker lost the answer of the last rotation and tries the old token once (in doubt)
                        inDoubtRetries.incrementAndGet();
                        inDoubtRetriesBySubject.merge(grant.subject, grant.currentIssuedTo, (a, b) -> a + "," + b);
                    } else {
                        reuses.incrementAndGet();
                        reusedSubjects.add(grant.subject);
                    }
                    grant.revoked = true;
                    status = 400;
                    body = "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token reused\"}";
                } else {
                    grant.currentPresented = true;
                    String next = "rt-" + UUID.randomUUID();
                    grant.previous = presented;
                    grant.current = next;
                    grant.currentPresented = false;
                    grant.rotations++;
                    grant.currentIssuedTo = instance;
                    byRefreshToken.put(next, grant);
                    answeredRotations.incrementAndGet();
                    body = tokens(grant, next);
                }
            } else {
                status = 400;
                body = "{\"error\":\"unsupported_grant_type\"}";
            }
        }
        send(exchange, status, body);
    }

    private String tokens(Grant grant, String refresh) {
        String access = "at-" + UUID.randomUUID();
        subjectByAccessToken.put(access, grant.subject);
        return "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":" + accessTokenSeconds
                + ",\"refresh_token\":\"" + refresh + "\",\"scope\":\"read\"}";
    }

    private void userinfo(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String subject;
        synchronized (this) {
            subject = authorization == null ? null : subjectByAccessToken.get(authorization.replaceFirst("(?i)^Bearer ", ""));
        }
        if (subject == null) {
            send(exchange, 401, "{\"error\":\"invalid_token\"}");
        } else {
            send(exchange, 200, "{\"id\":\"" + subject + "\",\"name\":\"" + subject + "\"}");
        }
    }

    /** Grants whose latest rotation was answered but never presented again (the broker may have lost it). */
    synchronized Map<String, Grant> grants() {
        return Map.copyOf(bySubject);
    }

    synchronized long revokedGrants() {
        return bySubject.values().stream().filter(grant -> grant.revoked).count();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> form(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
