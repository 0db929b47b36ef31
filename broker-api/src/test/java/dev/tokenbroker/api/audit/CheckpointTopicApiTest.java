package dev.tokenbroker.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.projections.chain.CheckpointJson;
import dev.tokenbroker.projections.chain.CheckpointSigner;
import dev.tokenbroker.testsupport.TestInfrastructure;
import dev.tokenbroker.testsupport.WithTestInfrastructure;

/**
 * The application with Kafka on (the same settings as the events' API test, so the same context): every
 * checkpoint is copied to {@code <events topic>.checkpoints}, keyed by chain index, as the file sink's line.
 */
@BrokerApiTest
@WithTestInfrastructure(kafka = true)
@TestPropertySource(properties = {
        "broker.events.kafka.topic=api-token-set-events",
        "broker.events.kafka.source=https://broker.test.example",
        "broker.events.kafka.create-topic.enabled=true",
        "broker.events.kafka.create-topic.partitions=3",
        "broker.events.kafka.create-topic.replication=1",
})
class CheckpointTopicApiTest {

    static final String TOPIC = "api-token-set-events.checkpoints";

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CheckpointSigner signer;

    @Test
    void everyCheckpointArrivesOnTheCheckpointTopicCreatedWithOnePartitionAndUnlimitedRetention() throws Exception {
        ApiClients api = new ApiClients(port);
        String app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String user = "checkpoint-" + UUID.randomUUID();
        new DemoLinking(api).link(app, user, "upstream-" + user);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM domainevententry", Long.class).equals(jdbc.queryForObject(
                "SELECT count(*) FROM event_chain", Long.class)));
        long signed = signer.signNow();

        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "checkpoints-" + UUID.randomUUID()),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.stream().anyMatch(r -> r.key().equals(Long.toString(signed)));
            });
            String stored = jdbc.queryForObject("SELECT jws FROM event_chain_checkpoint WHERE chain_index = ?",
                    String.class, signed);
            ConsumerRecord<String, String> record = records.stream()
                    .filter(r -> r.key().equals(Long.toString(signed))).findFirst().orElseThrow();
            assertThat(CheckpointJson.jwsOf(record.value())).isEqualTo(stored);
        }

        try (Admin admin = Admin.create(Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafka().bootstrapServers()))) {
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            assertThat(topic.partitions()).hasSize(1);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("-1");
        }
    }
}
