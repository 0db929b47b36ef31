package dev.tokenbroker.api.events;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.events.kafka.*}: publishing every token-set change to Kafka. The connection and its
 * security (SASL, TLS) are Spring's {@code spring.kafka.*}; publishing is on when
 * {@code spring.kafka.bootstrap-servers} is set and {@code enabled} is not {@code false}.
 *
 * @param enabled     set to false to keep an instance from publishing although Kafka is configured
 * @param topic       the topic of the CloudEvents (default {@code token-broker.token-set-events})
 * @param mode        CloudEvents Kafka binding mode: {@code BINARY} (attributes in {@code ce_*} headers,
 *                    the integration event's JSON as the value) or {@code STRUCTURED} (one JSON envelope)
 * @param source      the CloudEvents {@code source}; default {@code broker.connect.public-url}
 * @param sendTimeout how long a batch waits for Kafka's acknowledgements before it is retried (1s to 8s:
 *                    below the processor's 10 s token claim, so a slow batch does not lose its segment)
 * @param batchSize   events sent before waiting for their acknowledgements
 * @param createTopic create the topic at start-up when it does not exist
 */
@ConfigurationProperties("broker.events.kafka")
public record KafkaEventsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("token-broker.token-set-events") String topic,
        @DefaultValue("BINARY") Mode mode,
        URI source,
        @DefaultValue("5s") Duration sendTimeout,
        @DefaultValue("100") int batchSize,
        @DefaultValue CreateTopic createTopic) {

    public enum Mode { BINARY, STRUCTURED }

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /**
     * @param enabled     off by default: in production topics are usually created by the platform team
     * @param partitions  upper bound of parallel consumers; order holds per token set in any case
     * @param replication 3 on a production cluster (with {@code min.insync.replicas=2}); 1 for one broker
     * @param retention   how long records are kept ({@code retention.ms})
     */
    public record CreateTopic(@DefaultValue("false") boolean enabled, @DefaultValue("12") int partitions,
                              @DefaultValue("3") short replication, @DefaultValue("7d") Duration retention) {

        public CreateTopic {
            if (partitions < 1) {
                throw new IllegalArgumentException("broker.events.kafka.create-topic.partitions=" + partitions
                        + " must be at least 1");
            }
            if (replication < 1) {
                throw new IllegalArgumentException("broker.events.kafka.create-topic.replication=" + replication
                        + " must be at least 1 (3 on a production cluster, 1 on a single broker)");
            }
        }
    }

    public KafkaEventsProperties {
        if (!TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("broker.events.kafka.topic=" + topic
                    + " is not a Kafka topic name: use 1 to 249 of a-z A-Z 0-9 . _ -");
        }
        if (source != null && !source.isAbsolute()) {
            throw new IllegalArgumentException("broker.events.kafka.source=" + source
                    + " must be an absolute URI such as https://broker.example.com");
        }
        if (sendTimeout.compareTo(Duration.ofSeconds(1)) < 0 || sendTimeout.compareTo(Duration.ofSeconds(8)) > 0) {
            throw new IllegalArgumentException("broker.events.kafka.send-timeout=" + sendTimeout
                    + " must be between 1s and 8s: longer waits outlive the processor's 10 s segment claim");
        }
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException("broker.events.kafka.batch-size=" + batchSize
                    + " must be between 1 and 1000");
        }
    }
}
