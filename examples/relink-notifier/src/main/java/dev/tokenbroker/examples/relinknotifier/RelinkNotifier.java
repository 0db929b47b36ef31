package dev.tokenbroker.examples.relinknotifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;

/**
 * Reacts to the broker's {@code reauthorization-required} events: the user's grant is dead, only a
 * new link helps, so ask them. Plain Kafka clients and the CloudEvents SDK; reads binary and
 * structured records alike. Delivery is at least once: duplicates are skipped by CloudEvents id.
 *
 * <pre>KAFKA_BOOTSTRAP_SERVERS=localhost:9092 java -jar relink-notifier.jar</pre>
 */
public final class RelinkNotifier implements AutoCloseable {

    public static final String TYPE = "dev.tokenbroker.token-set.reauthorization-required.v1";
    public static final String DEFAULT_TOPIC = "token-broker.token-set-events";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, CloudEvent> consumer;
    private final Consumer<String> out;
    // the last ids seen: enough to drop the redeliveries of a retried batch
    private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 10_000;
        }
    };

    public RelinkNotifier(String bootstrapServers, String topic, String groupId, Consumer<String> out) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new CloudEventDeserializer());
        this.consumer.subscribe(List.of(topic));
        this.out = out;
    }

    /** Handles what arrives within the timeout; commits the offsets after handling (at least once). */
    public void pollOnce(Duration timeout) {
        for (ConsumerRecord<String, CloudEvent> record : consumer.poll(timeout)) {
            CloudEvent event = record.value();
            if (TYPE.equals(event.getType()) && seen.put(event.getId(), Boolean.TRUE) == null) {
                JsonNode data = data(event);
                out.accept("ask user " + data.path("userId").asText() + " to relink connector "
                        + data.path("connectorId").asText() + " (" + data.path("reason").asText("no reason given") + ")");
            }
        }
        consumer.commitSync();
    }

    private static JsonNode data(CloudEvent event) {
        try {
            return JSON.readTree(event.getData() == null ? new byte[0] : event.getData().toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("event " + event.getId() + " has no JSON data", e);
        }
    }

    /** Stops a {@link #pollOnce} in progress, from any thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }

    public static void main(String[] args) {
        String servers = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        String topic = System.getenv().getOrDefault("TOKEN_BROKER_TOPIC", DEFAULT_TOPIC);
        try (RelinkNotifier notifier = new RelinkNotifier(servers, topic, "relink-notifier", System.out::println)) {
            Runtime.getRuntime().addShutdownHook(new Thread(notifier::wakeup));
            while (true) {
                notifier.pollOnce(Duration.ofSeconds(1));
            }
        } catch (WakeupException stopped) {
            // shutting down
        }
    }
}
