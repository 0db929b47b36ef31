package dev.tokenbroker.examples.relinknotifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import dev.tokenbroker.testsupport.TestInfrastructure;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventSerializer;

/** Against the embedded Kafka broker, with records shaped like the broker's (binary and structured). */
class RelinkNotifierTest {

    @Test
    void asksOnceForEveryReauthorizationRequiredAndIgnoresTheRest() throws Exception {
        String servers = TestInfrastructure.kafka().bootstrapServers();
        String topic = "relink-" + UUID.randomUUID();
        String tokenSetId = UUID.randomUUID().toString();
        CloudEvent linked = event("linked", "{\"userId\":\"alice\",\"connectorId\":\"github\"}");
        CloudEvent dead = event("reauthorization-required",
                "{\"userId\":\"alice\",\"connectorId\":\"github\",\"reason\":\"invalid_grant\"}");
        for (String encoding : List.of("BINARY", "STRUCTURED")) {
            try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, CloudEventSerializer.ENCODING_CONFIG, encoding),
                    new StringSerializer(), new CloudEventSerializer())) {
                producer.send(new ProducerRecord<>(topic, tokenSetId, linked)).get();
                producer.send(new ProducerRecord<>(topic, tokenSetId, dead)).get();
            }
        }
        List<String> said = new CopyOnWriteArrayList<>();
        try (RelinkNotifier notifier = new RelinkNotifier(servers, topic, "test-" + UUID.randomUUID(), said::add)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                notifier.pollOnce(Duration.ofMillis(200));
                return !said.isEmpty();
            });
            notifier.pollOnce(Duration.ofSeconds(1));
        }
        // the second copy (the other encoding, same id) is a redelivery: skipped
        assertThat(said).containsExactly("ask user alice to relink connector github (invalid_grant)");
    }

    private static CloudEvent event(String type, String json) {
        return CloudEventBuilder.v1().withId(UUID.randomUUID().toString().substring(0, 8) + type)
                .withSource(URI.create("https://broker.test.example"))
                .withType("dev.tokenbroker.token-set." + type + ".v1")
                .withSubject("users/alice/connections/github").withTime(OffsetDateTime.now())
                .withDataContentType("application/json").withData(json.getBytes(StandardCharsets.UTF_8)).build();
    }
}
