package dev.tokenbroker.api.events;

import java.net.URI;
import java.time.Clock;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.kafka.KafkaProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.api.connect.ConnectProperties;
import dev.tokenbroker.projections.integration.kafka.CloudEventRecords;
import dev.tokenbroker.projections.integration.kafka.KafkaEventPublisher;
import dev.tokenbroker.projections.integration.kafka.KafkaPublisherProcessor;
import dev.tokenbroker.projections.integration.kafka.KafkaPublisherStatus;
import dev.tokenbroker.projections.integration.kafka.TokenSetOwners;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.Encoding;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The Kafka publisher of integration events, on when {@code spring.kafka.bootstrap-servers} is set
 * (see {@link OnKafkaPublishing}). The producer takes Spring Boot's {@code spring.kafka.*} settings
 * (bootstrap servers, SASL, TLS, client id, ...) and then fixes what the delivery guarantee needs:
 * {@code acks=all}, idempotence, and timeouts bounded by {@code broker.events.kafka.send-timeout}.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
@Conditional(OnKafkaPublishing.class)
public class KafkaEventsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KafkaEventsConfiguration.class);

    @Bean(destroyMethod = "close")
    Producer<String, CloudEvent> kafkaPublisherProducer(KafkaProperties kafka, ObjectProvider<SslBundles> sslBundles,
                                                        KafkaEventsProperties events) {
        Map<String, Object> config = kafka.buildProducerProperties(sslBundles.getIfAvailable());
        int timeout = (int) events.sendTimeout().toMillis();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout - 10);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        return new KafkaProducer<>(config, new StringSerializer(), CloudEventRecords.serializer(
                events.mode() == KafkaEventsProperties.Mode.BINARY ? Encoding.BINARY : Encoding.STRUCTURED));
    }

    @Bean
    KafkaPublisherStatus kafkaPublisherStatus(Clock clock) {
        return new KafkaPublisherStatus(clock);
    }

    @Bean
    KafkaEventPublisher kafkaEventPublisher(Producer<String, CloudEvent> kafkaPublisherProducer,
                                            KafkaEventsProperties events, ConnectProperties connect,
                                            JdbcTemplate jdbc, KafkaPublisherStatus status) {
        URI source = events.source() != null ? events.source() : connect.publicUrl();
        if (source == null) {
            throw new IllegalStateException("Publishing to Kafka needs the CloudEvents source: set"
                    + " broker.connect.public-url (e.g. https://broker.example.com) or broker.events.kafka.source,"
                    + " or turn publishing off with broker.events.kafka.enabled=false");
        }
        log.info("Publishing token-set events to Kafka topic {} as {} CloudEvents from {}",
                events.topic(), events.mode(), source);
        return new KafkaEventPublisher(kafkaPublisherProducer, new CloudEventRecords(events.topic(), source),
                new TokenSetOwners(jdbc), status, events.sendTimeout().plusSeconds(1));
    }

    @Bean
    ConfigurerModule kafkaPublisherProcessor(KafkaEventsProperties events) {
        return new KafkaPublisherProcessor(events.batchSize());
    }

    @Bean
    KafkaPublisherLag kafkaPublisherLag(JdbcTemplate jdbc, @Qualifier("serializer") Serializer serializer,
                                        Clock clock, MeterRegistry meters) {
        KafkaPublisherLag lag = new KafkaPublisherLag(jdbc, serializer, clock);
        Gauge.builder("broker.events.kafka.lag.events", lag, l -> l.snapshot().events())
                .description("Events appended to the event store and not yet acknowledged by Kafka")
                .baseUnit("events").register(meters);
        Gauge.builder("broker.events.kafka.lag.seconds", lag, l -> l.snapshot().seconds())
                .description("Age of the oldest event not yet acknowledged by Kafka")
                .baseUnit("seconds").register(meters);
        return lag;
    }

    @Bean
    KafkaPublisherHealthIndicator kafkaPublisherHealthIndicator(KafkaPublisherStatus status, KafkaPublisherLag lag,
                                                                Configuration axon, KafkaEventsProperties events) {
        return new KafkaPublisherHealthIndicator(status, lag, axon.eventProcessingConfiguration(), events.topic());
    }

    /** Created by Spring Kafka's {@code KafkaAdmin} at start-up when missing; a failure is logged, not fatal. */
    @Bean
    @Conditional(OnCreateTopic.class)
    NewTopic tokenSetEventsTopic(KafkaEventsProperties events) {
        KafkaEventsProperties.CreateTopic create = events.createTopic();
        return new NewTopic(events.topic(), create.partitions(), create.replication())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(create.retention().toMillis()),
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
    }

    static final class OnCreateTopic implements org.springframework.context.annotation.Condition {
        @Override
        public boolean matches(org.springframework.context.annotation.ConditionContext context,
                               org.springframework.core.type.AnnotatedTypeMetadata metadata) {
            return context.getEnvironment().getProperty("broker.events.kafka.create-topic.enabled", Boolean.class, false);
        }
    }
}
