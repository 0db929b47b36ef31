package dev.tokenbroker.projections.integration.kafka;

import java.net.URI;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.clients.producer.ProducerRecord;

import dev.tokenbroker.projections.integration.IntegrationEvent;
import dev.tokenbroker.projections.integration.IntegrationEventJson;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventSerializer;

/**
 * One {@link IntegrationEvent} as a CloudEvents 1.0 Kafka record: {@code id} = the event's id,
 * {@code source} = the broker's public URL, {@code type} = {@code dev.tokenbroker.token-set.<type>.v1},
 * {@code subject} = {@code users/{userId}/connections/{connectorId}}, {@code time}, {@code dataschema}
 * and the JSON of the record as data; the Kafka key is the token set id, so one token set's events
 * share a partition and keep their order.
 *
 * @see <a href="https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md">CloudEvents 1.0</a>
 * @see <a href="https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md">Kafka protocol binding</a>
 */
public final class CloudEventRecords {

    public static final String TYPE_PREFIX = "dev.tokenbroker.token-set.";
    public static final String TYPE_SUFFIX = ".v1";

    private final String topic;
    private final URI source;

    public CloudEventRecords(String topic, URI source) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.source = Objects.requireNonNull(source, "source");
    }

    public static String cloudEventType(String integrationEventType) {
        return TYPE_PREFIX + integrationEventType + TYPE_SUFFIX;
    }

    public CloudEvent toCloudEvent(IntegrationEvent event) {
        return CloudEventBuilder.v1()
                .withId(event.eventId())
                .withSource(source)
                .withType(cloudEventType(event.type()))
                .withSubject(event.subject())
                .withTime(event.occurredAt().atOffset(ZoneOffset.UTC))
                .withDataSchema(URI.create(IntegrationEvent.SCHEMA_ID))
                .withDataContentType("application/json")
                .withData(IntegrationEventJson.write(event))
                .build();
    }

    /**
     * The value serializer for the given binding mode ({@code BINARY} or {@code STRUCTURED}), configured.
     * Configure it here, not through the producer's properties: {@code KafkaProducer} never calls
     * {@code configure} on a serializer instance it is given, so {@code cloudevents.serializer.encoding}
     * in the producer config is silently ignored and every record would be binary.
     */
    public static CloudEventSerializer serializer(Encoding encoding) {
        CloudEventSerializer serializer = new CloudEventSerializer();
        serializer.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, encoding.name(),
                CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE), false);
        return serializer;
    }

    public ProducerRecord<String, CloudEvent> toRecord(IntegrationEvent event) {
        return new ProducerRecord<>(topic, event.tokenSetId().toString(), toCloudEvent(event));
    }

    public String topic() {
        return topic;
    }
}
