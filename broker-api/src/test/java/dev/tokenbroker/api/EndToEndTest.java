package dev.tokenbroker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import dev.tokenbroker.api.demo.DemoIdentityProvider;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The whole product through a real HTTP client that follows redirects, against the demo IdP
 * (mock-oauth2-server): connect → callback → token → token after expiry (refreshed) → revoke → not_linked.
 */
@BrokerApiTest
@ExtendWith(OutputCaptureExtension.class)
class EndToEndTest {

    @LocalServerPort
    int port;
    @Autowired
    DemoIdentityProvider demoIdp;

    @Test
    void connectFetchRefreshRevoke(CapturedOutput logs) throws Exception {
        ApiClients api = new ApiClients(port);
        String app = api.accessToken("demo-app", "demo-secret-for-local-use-only");
        // The demo IdP issues this account's tokens with 20 s to live: less than the default min_validity (60 s).
        demoIdp.server().enqueueCallback(new DefaultOAuth2TokenCallback("demo", "end-to-end-upstream",
                JOSEObjectType.JWT.getType(), null, Map.of(), 20));

        HttpResponse<String> created = api.send("POST", "/v1/connect-sessions", app, "application/json",
                "{\"userId\":\"end-to-end\",\"connector\":\"demo\",\"returnTo\":\"http://localhost:" + port + "/demo/linked\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        URI connectUrl = URI.create(api.json(created).get("connectUrl").asText());

        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .cookieHandler(new CookieManager()).build();
        HttpResponse<String> loginPage = browser.send(HttpRequest.newBuilder(connectUrl).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(loginPage.statusCode()).isEqualTo(200);
        assertThat(loginPage.uri().getPath()).endsWith("/demo/authorize");
        HttpResponse<String> landed = browser.send(HttpRequest.newBuilder(loginPage.uri())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=end-to-end-upstream&claims=")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(landed.uri().getPath()).isEqualTo("/demo/linked");
        assertThat(landed.uri().getQuery()).contains("status=linked");
        assertThat(landed.body()).contains("Linked");

        JsonNode firstAnswer = api.json(await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/end-to-end/connections/demo/token?min_validity=0", app),
                response -> response.statusCode() == 200));
        String first = firstAnswer.get("access_token").asText();

        // The demo IdP's callback queue is shared: another test's background refresh can take the 20 s callback, and
        // this account then gets the default hour. Then ask for more validity than the token has, which is the rule
        // the default min_validity (60 s) applies to a 20 s token.
        long expiresIn = firstAnswer.get("expires_in").asLong();
        HttpResponse<String> refreshed = api.get("/v1/users/end-to-end/connections/demo/token"
                + (expiresIn < 60 ? "" : "?min_validity=" + Math.min(86_400, expiresIn + 1)), app);
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(api.json(refreshed).get("access_token").asText()).isNotEqualTo(first);

        assertThat(api.send("DELETE", "/v1/users/end-to-end/connections/demo", app, null, null).statusCode())
                .isEqualTo(204);
        HttpResponse<String> gone = api.get("/v1/users/end-to-end/connections/demo/token", app);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(api.json(gone).get("type").asText()).isEqualTo("urn:token-broker:problem:not_linked");

        // Nothing secret in the log output of the whole run: upstream tokens, the API token, the client secret.
        String refreshedToken = api.json(refreshed).get("access_token").asText();
        assertThat(logs.getAll()).doesNotContain(first).doesNotContain(refreshedToken).doesNotContain(app)
                .doesNotContain("demo-secret-for-local-use-only");
    }
}
