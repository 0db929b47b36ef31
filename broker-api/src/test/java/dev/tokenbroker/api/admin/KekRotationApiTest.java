package dev.tokenbroker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.KekRing;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@BrokerApiTest
class KekRotationApiTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KekRing keks;
    @Autowired
    DataKeyCache cache;

    @Test
    void rotatingTheLocalKekRewrapsEveryDataKeyAndTokensStillDecrypt() throws Exception {
        ApiClients api = new ApiClients(port);
        String app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        String admin = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        new DemoLinking(api).link(app, "kek-user", "kek-upstream");
        String before = await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/kek-user/connections/demo/token", backend),
                response -> response.statusCode() == 200).body();
        String oldKekId = keks.primary().id();

        HttpResponse<String> rotated = api.send("POST", "/v1/admin/kek/rotate", admin, null, null);

        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        JsonNode result = api.json(rotated);
        assertThat(result.get("kekId").asText()).isNotEqualTo(oldKekId);
        assertThat(result.get("failed").asLong()).isZero();
        assertThat(result.get("progress").get("total").asLong())
                .isEqualTo(result.get("progress").get("wrappedByKek").asLong()).isPositive();
        assertThat(jdbc.queryForObject("select count(*) from token_set_data_key where kek_id <> ?", Long.class,
                keks.primary().id())).isZero();

        assertThat(api.send("POST", "/v1/admin/kek/disable-old-keys", admin, null, null).statusCode()).isEqualTo(200);
        cache.invalidate(dev.tokenbroker.core.api.TokenSetId.of("kek-user", "demo"));
        HttpResponse<String> after = api.get("/v1/users/kek-user/connections/demo/token", backend);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(api.json(after).get("access_token").asText())
                .isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(before).get("access_token").asText());
        // API tokens issued before the rotation still work; new ones are signed with the new signing key.
        assertThat(api.get("/v1/admin/kek/progress", admin).statusCode()).isEqualTo(200);
        assertThat(api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET)).isNotBlank();
    }
}
