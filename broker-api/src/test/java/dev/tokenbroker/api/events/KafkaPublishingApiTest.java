package dev.tokenbroker.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.testsupport.TestInfrastructure;
import dev.tokenbroker.testsupport.WithTestInfrastructure;

/** The application with Kafka configured: every change made through the API arrives as a CloudEvent. */
@BrokerApiTest
@WithTestInfrastructure(kafka = true)
@TestPropertySource(properties = {
        "broker.events.kafka.topic=" + KafkaPublishingApiTest.TOPIC,
        "broker.events.kafka.source=https://broker.test.example",
        "broker.events.kafka.create-topic.enabled=true",
        "broker.events.kafka.create-topic.partitions=3",
        "broker.events.kafka.create-topic.replication=1",
})
class KafkaPublishingApiTest {

    static final String TOPIC = "api-token-set-events";

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KafkaPublisherHealthIndicator healthIndicator;

    @Test
    void linkHandOutAndRevokeArriveAsCloudEventsAndHealthAndLagAreReported() throws Exception {
        ApiClients api = new ApiClients(port);
        String app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        String user = "kafka-" + UUID.randomUUID();
        new DemoLinking(api).link(app, user, "upstream-" + user);
        HttpResponse<String> token = await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/" + user + "/connections/demo/token?min_validity=0", backend),
                response -> response.statusCode() == 200);
        String accessToken = api.json(token).get("access_token").asText();
        assertThat(api.send("DELETE", "/v1/users/" + user + "/connections/demo", app, null, null).statusCode())
                .isEqualTo(204);

        String tokenSetId = TokenSetId.of(user, "demo").toString();
        List<String> history = jdbc.queryForList("SELECT eventidentifier FROM domainevententry"
                + " WHERE aggregateidentifier = ? ORDER BY sequencenumber", String.class, tokenSetId);
        assertThat(history).hasSizeGreaterThanOrEqualTo(3);

        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "api-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return ids(records, tokenSetId).containsAll(history);
            });
        }
        assertThat(ids(records, tokenSetId)).containsExactlyElementsOf(history);
        List<String> types = records.stream().filter(r -> key(r).equals(tokenSetId)).map(r -> header(r, "ce_type")).toList();
        assertThat(types).contains("dev.tokenbroker.token-set.linked.v1",
                "dev.tokenbroker.token-set.access-token-handed-out.v1", "dev.tokenbroker.token-set.revoked.v1");
        for (ConsumerRecord<byte[], byte[]> record : records) {
            assertThat(header(record, "ce_subject")).startsWith("users/");
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).doesNotContain(accessToken);
            record.headers().forEach(h -> assertThat(new String(h.value(), StandardCharsets.UTF_8)).doesNotContain(accessToken));
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Health health = healthIndicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("lagEvents", 0L).containsKey("lastAcknowledged");
        });
        assertThat(api.get("/actuator/health", null).statusCode()).isEqualTo(200);
        String admin = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        HttpResponse<String> metrics = api.get("/actuator/metrics/broker.events.kafka.lag.events", admin);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(api.json(metrics).at("/measurements/0/value").asDouble()).isZero();
    }

    /** broker.events.kafka.create-topic.*: the topic was created at start-up as configured. */
    @Test
    void theTopicIsCreatedAtStartUpWithTheConfiguredPartitionsAndRetention() throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafka().bootstrapServers()))) {
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            assertThat(topic.partitions()).hasSize(3);
            assertThat(topic.partitions().get(0).replicas()).hasSize(1);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
        }
    }

    private static List<String> ids(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        List<String> ids = new ArrayList<>();
        records.stream().filter(r -> key(r).equals(key)).map(r -> header(r, "ce_id"))
                .filter(id -> !ids.contains(id)).forEach(ids::add);
        return ids;
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
