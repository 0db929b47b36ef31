package dev.tokenbroker.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The OpenAPI description the application serves is the one kept in the repository. When an
 * endpoint changes, run this test with {@code -Dopenapi.update=true} and commit docs/openapi.yaml.
 */
@BrokerApiTest
class OpenApiDocumentTest {

    private static final Path COMMITTED = Path.of("..", "docs", "openapi.yaml");

    @LocalServerPort
    int port;

    @Test
    void theServedDescriptionMatchesTheCommittedOne() throws Exception {
        HttpResponse<String> served = new ApiClients(port).get("/v3/api-docs.yaml", null);
        assertThat(served.statusCode()).isEqualTo(200);
        String document = served.body().replaceAll("http://localhost:\\d+", "http://localhost:8080");
        assertThat(document).contains("/v1/users/{userId}/connections/{connector}/token", "/v1/connect-sessions");

        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(COMMITTED, document, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(COMMITTED)).as("docs/openapi.yaml exists (create it with -Dopenapi.update=true)").isTrue();
        assertThat(document).as("docs/openapi.yaml is up to date (refresh it with -Dopenapi.update=true)")
                .isEqualTo(Files.readString(COMMITTED, StandardCharsets.UTF_8));
    }
}
