package dev.tokenbroker.api.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Brute force at the token endpoint and oversized requests. Attackers connect from their own loopback addresses
 * (127.0.0.2 ...), the real clients from 127.0.0.1. The limits are lowered for this class only (package hook) and
 * every bucket is forgotten after each test, so the shared test clients are never locked out for other classes.
 */
@BrokerApiTest
class BruteForceLimitTest {

    private static final String SECRET = "brute-force-secret-0123456789abcdef";

    @LocalServerPort
    int port;
    @Autowired
    ClientAuthenticationGuard guard;
    @Autowired
    ApiClientStore store;
    @Autowired
    ApiClientSecrets secrets;

    ApiClients api;
    ClientAuthenticationLimitProperties original;

    @BeforeEach
    void setUp() {
        api = new ApiClients(port);
        original = guard.limits();
        for (String id : List.of("bf-victim", "bf-attacked-address")) {
            if (store.find(id).isEmpty()) {
                store.save(new ApiClient(id, id, Set.of(ApiScope.TOKENS_READ), Set.of("demo"), Set.of(), Instant.now(), false));
                secrets.ensure(id, SECRET);
            }
        }
    }

    @AfterEach
    void restore() {
        guard.limits(original);
    }

    private void limits(int perAddress, int perClient, int concurrentHashes, Duration hashWait) {
        guard.limits(new ClientAuthenticationLimitProperties(perAddress, perClient, Duration.ofHours(1), concurrentHashes,
                hashWait, 10_000, Duration.ofHours(24)));
    }

    @Test
    void anAddressThatKeepsFailingGets429WithRetryAfterWhileOthersGetTokens() throws Exception {
        limits(5, 1000, 2, Duration.ofSeconds(5));
        for (int i = 0; i < 5; i++) {
            assertThat(RawHttp.tokenRequest("127.0.0.2", port, "bf-attacked-address", "wrong-" + i).status()).isEqualTo(401);
        }
        RawHttp.Response limited = RawHttp.tokenRequest("127.0.0.2", port, "bf-attacked-address", "wrong");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 3600L);
        assertThat(limited.header("Content-Type")).startsWith("application/json");
        assertThat(limited.body()).contains("\"error\":\"temporarily_unavailable\"");
        assertThat(RawHttp.tokenRequest("127.0.0.2", port, "bf-attacked-address", SECRET).status())
                .as("the address is blocked, right secret or not").isEqualTo(429);

        assertThat(RawHttp.tokenRequest("127.0.0.3", port, "bf-attacked-address", SECRET).status()).isEqualTo(200);
        assertThat(api.tokenBasic("test-backend", BrokerApiTest.BACKEND_SECRET, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aDistributedFloodAgainstOneClientIdDoesNotLockOutItsKnownAddress() throws Exception {
        limits(1000, 5, 2, Duration.ofSeconds(5));
        assertThat(api.tokenBasic("bf-victim", SECRET, null).statusCode()).as("known good from 127.0.0.1").isEqualTo(200);

        for (int i = 0; i < 5; i++) {
            assertThat(RawHttp.tokenRequest("127.0.1." + (i + 1), port, "bf-victim", "guess-" + i).status()).isEqualTo(401);
        }
        assertThat(RawHttp.tokenRequest("127.0.1.10", port, "bf-victim", "guess").status()).isEqualTo(429);
        assertThat(RawHttp.tokenRequest("127.0.1.11", port, "bf-victim", SECRET).status())
                .as("a new address of the client waits like the attacker").isEqualTo(429);

        assertThat(api.tokenBasic("bf-victim", SECRET, null).statusCode()).as("its known address still gets tokens").isEqualTo(200);
    }

    @Test
    void saturatedSecretChecksAnswer503NeverA500() throws Exception {
        limits(1000, 1000, 1, Duration.ofMillis(1));
        ExecutorService flood = Executors.newFixedThreadPool(12);
        List<Future<RawHttp.Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 48; i++) {
                String from = "127.0.2." + (i % 12 + 1);
                answers.add(flood.submit(() -> RawHttp.tokenRequest(from, port, "bf-victim", "flood")));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<RawHttp.Response> answer : answers) {
                RawHttp.Response response = answer.get();
                statuses.add(response.status());
                if (response.status() == 503) {
                    assertThat(response.header("Retry-After")).isEqualTo("1");
                }
            }
            assertThat(statuses).allMatch(status -> status == 401 || status == 503).contains(503);
        } finally {
            flood.shutdownNow();
        }
        limits(1000, 1000, 2, Duration.ofSeconds(5));
        assertThat(api.tokenBasic("test-backend", BrokerApiTest.BACKEND_SECRET, null).statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedRequestsGet4xxNever500() throws Exception {
        String big = "a".repeat(20 * 1024);
        HttpResponse<String> header = api.send(HttpRequest.newBuilder(URI.create(api.base() + "/v1/connections"))
                .header("X-Padding", big).GET().build());
        assertThat(header.statusCode()).as("oversized header").isBetween(400, 499);

        HttpResponse<String> query = api.send(HttpRequest.newBuilder(URI.create(api.base() + "/v1/oauth/callback?state=" + big)).GET().build());
        assertThat(query.statusCode()).as("oversized query string").isBetween(400, 499);

        HttpResponse<String> form = api.send(HttpRequest.newBuilder(URI.create(api.base() + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&padding=" + big)).build());
        assertThat(form.statusCode()).as("oversized token request").isBetween(400, 499);

        String token = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        HttpResponse<String> json = api.send("POST", "/v1/connect-sessions", token, "application/json",
                "{\"userId\":\"" + big + "\"}");
        assertThat(json.statusCode()).as("oversized JSON body").isBetween(400, 499);
    }
}
