package dev.tokenbroker.api.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.api.TokenBrokerApplication;
import dev.tokenbroker.projections.tokenset.TokenSetViewProjection;
import java.net.http.HttpResponse;
import java.util.List;
import javax.sql.DataSource;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * DESIGN invariant 7: once the API answered a write, every later read on every instance reflects it — first
 * answer right, no retries. The token-set view's streaming processor is stopped on both instances for the
 * whole story, so nothing but the write-through in the command's transaction can have made the reads right.
 */
@BrokerApiTest
class ReadYourWritesTest {

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;
    @Autowired
    Configuration axon;

    @Test
    void linkedThenReadOnBothInstancesThenUnlinkedThenGoneOnBoth() throws Exception {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);   // behind FailFastDataSource
        try (ConfigurableApplicationContext other = new SpringApplicationBuilder(TokenBrokerApplication.class)
                .properties("spring.datasource.url=" + pool.getJdbcUrl(),
                        "spring.datasource.username=" + pool.getUsername(),
                        "spring.datasource.password=" + pool.getPassword(),
                        "server.port=0",
                        "broker.demo.enabled=true",
                        "broker.demo.idp-port=0",
                        "broker.crypto.kek.generate-into=target/test-kek",
                        // Embedded Kafka, once another test started it, leaves its address in system properties.
                        "broker.events.kafka.enabled=false")
                .run()) {
            List<StreamingEventProcessor> viewProcessors = List.of(viewProcessor(axon),
                    viewProcessor(other.getBean(Configuration.class)));
            viewProcessors.forEach(StreamingEventProcessor::shutDown);
            try {
                ApiClients first = new ApiClients(port);
                ApiClients second = new ApiClients(((WebServerApplicationContext) other).getWebServer().getPort());
                String appToken = first.accessToken("test-app", BrokerApiTest.APP_SECRET);
                String backendToken = first.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);

                assertThat(new DemoLinking(first).link(appToken, "ryan", "ryan-upstream").toString())
                        .contains("status=linked");

                for (ApiClients instance : List.of(first, second)) {
                    HttpResponse<String> token = instance.get("/v1/users/ryan/connections/demo/token", backendToken);
                    assertThat(token.statusCode()).as("token right after the callback redirected").isEqualTo(200);
                    assertThat(instance.json(token).get("access_token").asText()).isNotBlank();
                    JsonNode listing = instance.json(instance.get("/v1/users/ryan/connections", appToken));
                    assertThat(listing).singleElement()
                            .satisfies(connection -> assertThat(connection.get("status").asText()).isEqualTo("ACTIVE"));
                }

                assertThat(second.send("DELETE", "/v1/users/ryan/connections/demo", appToken, null, null).statusCode())
                        .isEqualTo(204);

                for (ApiClients instance : List.of(second, first)) {
                    HttpResponse<String> token = instance.get("/v1/users/ryan/connections/demo/token", backendToken);
                    assertThat(token.statusCode()).as("token right after DELETE answered 204").isEqualTo(404);
                    assertThat(instance.json(token).get("type").asText()).endsWith("not_linked");
                    assertThat(instance.json(instance.get("/v1/users/ryan/connections", appToken)))
                            .as("listing right after DELETE answered 204").isEmpty();
                }
            } finally {
                viewProcessors.forEach(StreamingEventProcessor::start);
            }
        }
    }

    private static StreamingEventProcessor viewProcessor(Configuration axon) {
        return axon.eventProcessingConfiguration()
                .eventProcessor(TokenSetViewProjection.PROCESSING_GROUP, StreamingEventProcessor.class).orElseThrow();
    }
}
