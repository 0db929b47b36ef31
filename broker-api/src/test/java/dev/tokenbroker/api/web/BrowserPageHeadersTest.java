package dev.tokenbroker.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Security headers of every page a browser sees in the connect flow and the demo; bounded answers to floods. */
@BrokerApiTest
class BrowserPageHeadersTest {

    @LocalServerPort
    int port;

    ApiClients api;

    @BeforeEach
    void setUp() {
        api = new ApiClients(port);
    }

    @Test
    void theConnectRedirectCarriesTheHeaders() throws Exception {
        String appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        HttpResponse<String> session = api.send("POST", "/v1/connect-sessions", appToken, "application/json",
                "{\"userId\":\"headers-user\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}");
        assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
        URI connectUrl = URI.create(api.json(session).get("connectUrl").asText());

        HttpResponse<String> redirect = api.send(HttpRequest.newBuilder(connectUrl).GET().build());

        assertThat(redirect.statusCode()).isEqualTo(302);
        assertBrowserHeaders(redirect);
    }

    @Test
    void theCallbackErrorPageTheConnectErrorPageAndTheDemoPageCarryTheHeaders() throws Exception {
        for (String path : new String[] {
                "/v1/oauth/callback?state=" + UUID.randomUUID() + "&code=abc",
                "/v1/oauth/callback",
                "/v1/oauth/callback?error=access_denied&state=x",
                "/v1/connect/" + UUID.randomUUID(),
                "/v1/connect/not-a-session-id",
                "/demo/linked?status=linked",
                "/demo/does-not-exist"}) {
            HttpResponse<String> page = api.send(HttpRequest.newBuilder(URI.create(api.base() + path)).GET().build());
            assertThat(page.statusCode()).as(path).isLessThan(500);
            assertBrowserHeaders(page);
        }
    }

    @Test
    void aFloodOfForgedCallbacksAndConnectUrlsGetsFixed4xxAnswers() throws Exception {
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> callback = api.send(HttpRequest.newBuilder(URI.create(api.base()
                    + "/v1/oauth/callback?state=" + UUID.randomUUID() + "&code=" + UUID.randomUUID())).GET().build());
            HttpResponse<String> connect = api.send(HttpRequest.newBuilder(URI.create(api.base()
                    + "/v1/connect/" + UUID.randomUUID())).GET().build());
            assertThat(callback.statusCode()).isBetween(400, 499);
            assertThat(connect.statusCode()).isBetween(400, 499);
        }
    }

    @Test
    void apiAnswersAreNotTreatedAsPages() throws Exception {
        HttpResponse<String> api401 = api.get("/v1/connections", null);
        assertThat(api401.headers().firstValue("Content-Security-Policy")).isEmpty();
    }

    private static void assertBrowserHeaders(HttpResponse<String> response) {
        String uri = response.uri().toString();
        assertThat(response.headers().allValues("Content-Security-Policy")).as(uri)
                .containsExactly("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        assertThat(response.headers().allValues("X-Frame-Options")).as(uri).isNotEmpty().allMatch("DENY"::equals);
        assertThat(response.headers().allValues("Referrer-Policy")).as(uri).containsExactly("no-referrer");
        assertThat(response.headers().firstValue("Cache-Control")).as(uri).hasValueSatisfying(value -> assertThat(value).contains("no-store"));
        assertThat(response.headers().allValues("X-Content-Type-Options")).as(uri).isNotEmpty().allMatch("nosniff"::equals);
    }
}
