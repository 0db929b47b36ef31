package dev.tokenbroker.projections;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.projections.integration.kafka.CloudEventRecords;
import dev.tokenbroker.projections.integration.kafka.KafkaEventPublisher;
import dev.tokenbroker.projections.integration.kafka.KafkaPublisherProcessor;
import dev.tokenbroker.projections.integration.kafka.KafkaPublisherStatus;
import dev.tokenbroker.projections.integration.kafka.TokenSetOwners;
import io.cloudevents.CloudEvent;

/** The publisher as broker-api wires it, on the {@link KafkaTarget} bean the test registers. */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
class KafkaPublisherTestConfiguration {

    static final URI SOURCE = URI.create("https://broker.test.example");

    /** Where to publish, and how long to wait (short timeouts make outages visible quickly). */
    record KafkaTarget(String bootstrapServers, String topic, Duration sendTimeout, int batchSize, String encoding) {

        /** Binary mode, the default. */
        KafkaTarget(String bootstrapServers, String topic, Duration sendTimeout, int batchSize) {
            this(bootstrapServers, topic, sendTimeout, batchSize, "BINARY");
        }
    }

    @Bean(destroyMethod = "close")
    Producer<String, CloudEvent> kafkaPublisherProducer(KafkaTarget target) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        int timeout = (int) target.sendTimeout().toMillis();
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout - 10);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return new KafkaProducer<>(config, new StringSerializer(),
                CloudEventRecords.serializer(io.cloudevents.core.message.Encoding.valueOf(target.encoding())));
    }

    @Bean
    KafkaPublisherStatus kafkaPublisherStatus() {
        return new KafkaPublisherStatus(Clock.systemUTC());
    }

    @Bean
    KafkaEventPublisher kafkaEventPublisher(Producer<String, CloudEvent> producer, KafkaTarget target,
                                            JdbcTemplate jdbc, KafkaPublisherStatus status) {
        return new KafkaEventPublisher(producer, new CloudEventRecords(target.topic(), SOURCE),
                new TokenSetOwners(jdbc), status, target.sendTimeout().plusSeconds(1));
    }

    @Bean
    ConfigurerModule kafkaPublisherProcessor(KafkaTarget target) {
        return new KafkaPublisherProcessor(target.batchSize());
    }
}
