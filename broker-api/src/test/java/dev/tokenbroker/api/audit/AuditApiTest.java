package dev.tokenbroker.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

@BrokerApiTest
class AuditApiTest {

    @LocalServerPort
    int port;

    @Test
    void auditorsReadTheMetadataHistoryWithoutTokenMaterial() throws Exception {
        ApiClients api = new ApiClients(port);
        String app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        String auditor = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        new DemoLinking(api).link(app, "judy", "judy-upstream");
        String accessToken = api.json(await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/judy/connections/demo/token", backend),
                response -> response.statusCode() == 200)).get("access_token").asText();

        assertThat(api.get("/v1/audit/users/judy/connections/demo/history", backend).statusCode()).isEqualTo(403);
        HttpResponse<String> history = await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/audit/users/judy/connections/demo/history", auditor),
                response -> response.statusCode() == 200 && eventTypes(api, response).size() >= 2);

        assertThat(eventTypes(api, history)).containsExactly("TokenSetLinked", "AccessTokenHandedOut");
        JsonNode linked = api.json(history).get(0);
        assertThat(linked.get("actor").get("type").asText()).isEqualTo("USER");
        assertThat(history.body()).doesNotContain(accessToken);
    }

    private static List<String> eventTypes(ApiClients api, HttpResponse<String> response) {
        List<String> types = new ArrayList<>();
        try {
            api.json(response).forEach(entry -> types.add(entry.get("eventType").asText()));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
        return types;
    }
}
