package dev.tokenbroker.api.audit;

import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.kafka.KafkaProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.api.events.KafkaEventsProperties;
import dev.tokenbroker.api.events.OnKafkaPublishing;
import dev.tokenbroker.projections.chain.KafkaCheckpointSink;

/**
 * With Kafka publishing on, every checkpoint is also copied to the checkpoint topic
 * ({@code broker.audit.checkpoints.kafka-topic}, default {@code <broker.events.kafka.topic>.checkpoints}) —
 * out of reach of whoever can only write to the database. Its own producer from Spring's
 * {@code spring.kafka.*} settings, fixed to {@code acks=all} and idempotence, as the event publisher's.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnKafkaPublishing.class)
class CheckpointTopicConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CheckpointTopicConfiguration.class);
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    @Bean(destroyMethod = "close")
    Producer<String, String> checkpointTopicProducer(KafkaProperties kafka, ObjectProvider<SslBundles> sslBundles,
                                                     KafkaEventsProperties events) {
        Map<String, Object> config = kafka.buildProducerProperties(sslBundles.getIfAvailable());
        int timeout = (int) events.sendTimeout().toMillis();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout - 10);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    @Bean
    KafkaCheckpointSink kafkaCheckpointSink(Producer<String, String> checkpointTopicProducer, KafkaEventsProperties events,
                                            AuditChainProperties chain, DataSource dataSource, Clock clock) {
        String topic = checkpointTopic(events, chain.kafkaTopic());
        log.info("Copying event-chain checkpoints to Kafka topic {}", topic);
        return new KafkaCheckpointSink(checkpointTopicProducer, topic, new JdbcTemplate(dataSource),
                events.sendTimeout().plusSeconds(1), clock);
    }

    /** With {@code broker.events.kafka.create-topic.enabled}: one partition (chain order), kept forever. */
    @Bean
    @Conditional(OnCreateCheckpointTopic.class)
    NewTopic checkpointTopic(KafkaEventsProperties events, AuditChainProperties chain) {
        return new NewTopic(checkpointTopic(events, chain.kafkaTopic()), 1, events.createTopic().replication())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1",
                        TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
    }

    static String checkpointTopic(KafkaEventsProperties events, String configured) {
        String topic = configured == null || configured.isBlank() ? events.topic() + ".checkpoints" : configured.trim();
        if (!TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("broker.audit.checkpoints.kafka-topic=" + topic
                    + " is not a Kafka topic name: use 1 to 249 of a-z A-Z 0-9 . _ -");
        }
        if (topic.equals(events.topic())) {
            throw new IllegalArgumentException("broker.audit.checkpoints.kafka-topic=" + topic
                    + " is the events topic: give checkpoints their own topic (default <events topic>.checkpoints)");
        }
        return topic;
    }

    static final class OnCreateCheckpointTopic implements org.springframework.context.annotation.Condition {
        @Override
        public boolean matches(org.springframework.context.annotation.ConditionContext context,
                               org.springframework.core.type.AnnotatedTypeMetadata metadata) {
            return context.getEnvironment().getProperty("broker.events.kafka.create-topic.enabled", Boolean.class, false);
        }
    }
}
