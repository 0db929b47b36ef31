package dev.tokenbroker.api.audit;

import static org.awaitility.Awaitility.await;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Scripted steps of audit stories: link through the demo IdP, hand tokens out, remember every token seen. */
final class AuditStory {

    private static final AtomicInteger USERS = new AtomicInteger();

    final ApiClients api;
    final String app;
    final String backend;
    final String auditor;
    /** Every access token a backend received: none may appear in an audit response. */
    final List<String> handedOutTokens = new ArrayList<>();

    AuditStory(int port) throws Exception {
        this.api = new ApiClients(port);
        this.app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        this.backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        this.auditor = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
    }

    /** A user id no other test uses. */
    /**
     * Returns once the clock has passed {@code instant}: events are stored with millisecond timestamps, and an
     * instant between two of them must not share a millisecond with either.
     */
    static void awaitClockPast(Instant instant) {
        await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> Instant.now().isAfter(instant));
    }

    static String newUser(String prefix) {
        return prefix + "-" + System.nanoTime() % 1_000_000 + "-" + USERS.incrementAndGet();
    }

    void link(String userId) throws Exception {
        new DemoLinking(api).link(app, userId, userId + "-upstream");
    }

    /** Fetches the user's demo token as {@code backendToken}'s client (recording a hand-out). */
    String handOut(String userId, String backendToken) throws Exception {
        HttpResponse<String> response = await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/" + userId + "/connections/demo/token", backendToken),
                r -> r.statusCode() == 200);
        String token = api.json(response).get("access_token").asText();
        synchronized (handedOutTokens) {
            handedOutTokens.add(token);
        }
        return token;
    }

    String handOut(String userId) throws Exception {
        return handOut(userId, backend);
    }

    HttpResponse<String> audit(String path) throws Exception {
        return api.get(path, auditor);
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
