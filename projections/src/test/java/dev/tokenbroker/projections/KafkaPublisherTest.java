package dev.tokenbroker.projections;

import static dev.tokenbroker.projections.KafkaTopicRecords.contains;
import static dev.tokenbroker.projections.KafkaTopicRecords.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.projections.KafkaPublisherTestConfiguration.KafkaTarget;
import dev.tokenbroker.projections.integration.IntegrationEvent;
import dev.tokenbroker.projections.integration.IntegrationEventJson;
import dev.tokenbroker.projections.integration.IntegrationEventSchemaTest;
import dev.tokenbroker.projections.integration.kafka.CloudEventRecords;
import dev.tokenbroker.testsupport.TestDatabase;
import dev.tokenbroker.testsupport.TestInfrastructure;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;

/** The Kafka publisher against a real (embedded KRaft) broker and a real PostgreSQL event store. */
class KafkaPublisherTest {

    static final int PARTITIONS = 4;
    static final Instant START = Instant.parse("2025-03-01T08:00:00Z");

    final String bootstrap = TestInfrastructure.kafka().bootstrapServers();

    static String newTopic(String bootstrap) {
        String topic = "token-set-events-" + UUID.randomUUID();
        KafkaTopicRecords.createTopic(bootstrap, topic, PARTITIONS);
        return topic;
    }

    static ProjectionsHarness publisherOn(TestDatabase database, KafkaTarget target) {
        return ProjectionsHarness.startOn(database, context -> context.registerBean(KafkaTarget.class, () -> target),
                KafkaPublisherTestConfiguration.class);
    }

    /** Every lifecycle step, with plaintext tokens that name the user so the scan knows what to look for. */
    static void liveALife(TokenSetStory story, String user, List<String> plaintexts) {
        Instant t = story.now();
        String[] tokens = {"at-1-" + user, "rt-1-" + user, "at-2-" + user, "rt-2-" + user, "at-3-" + user,
                "at-4-" + user, "rt-4-" + user};
        plaintexts.addAll(List.of(tokens));
        plaintexts.add("id-token-of-" + tokens[0]);
        story.link(tokens[0], tokens[1], t.plusSeconds(3600), Set.of("repo", "read:user"))
                .handOut("backend-1")
                .refresh(tokens[2], tokens[3], t.plusSeconds(7200))
                .failTransiently("503", t.plusSeconds(7300))
                .refresh(tokens[4], null, t.plusSeconds(9000))
                .handOut("backend-2")
                .failPermanently("invalid_grant")
                .link(tokens[5], tokens[6], t.plusSeconds(20000), Set.of("repo"))
                .revoke(UpstreamRevocationOutcome.REVOKED)
                .erase();
    }

    /** Event ids per token set in sequence order, straight from the event store. */
    static Map<String, List<String>> history(ProjectionsHarness harness) {
        Map<String, List<String>> byAggregate = new LinkedHashMap<>();
        harness.jdbc().query("SELECT aggregateidentifier, eventidentifier FROM domainevententry"
                        + " ORDER BY aggregateidentifier, sequencenumber",
                rs -> {
                    byAggregate.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return byAggregate;
    }

    static long eventCount(Map<String, List<String>> history) {
        return history.values().stream().mapToLong(List::size).sum();
    }

    static List<ConsumerRecord<byte[], byte[]>> awaitAll(KafkaTopicRecords topic, Map<String, List<String>> history,
                                                         Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() ->
                KafkaTopicRecords.firstArrivalsByKey(topic.poll()).values().stream().mapToLong(List::size).sum()
                        >= eventCount(history));
        return topic.poll();
    }

    @Test
    void everyEventOfTheHistoryArrivesOnceInOrderAsACompleteCloudEventWithoutTokenMaterial() throws Exception {
        String topicName = newTopic(bootstrap);
        List<String> plaintexts = new ArrayList<>();
        try (ProjectionsHarness harness = publisherOn(ProjectionsHarness.freshDatabase("kafka-history"),
                new KafkaTarget(bootstrap, topicName, Duration.ofSeconds(5), 100));
             KafkaTopicRecords topic = new KafkaTopicRecords(bootstrap, topicName, PARTITIONS)) {
            for (int i = 0; i < 6; i++) {
                liveALife(harness.story("user-" + i, "github", START), "user-" + i, plaintexts);
            }
            Map<String, List<String>> history = history(harness);
            List<ConsumerRecord<byte[], byte[]>> records = awaitAll(topic, history, Duration.ofSeconds(30));

            // the same events, in the same order per token set; nothing else
            assertThat(KafkaTopicRecords.firstArrivalsByKey(records)).isEqualTo(history);
            assertThat(records).hasSize((int) eventCount(history));

            List<byte[]> secrets = new ArrayList<>();
            plaintexts.forEach(p -> secrets.add(p.getBytes(StandardCharsets.UTF_8)));
            ciphertexts(harness, history.keySet()).forEach(c -> {
                secrets.add(c);
                secrets.add(Base64.getEncoder().encode(c));
            });
            assertThat(secrets).hasSizeGreaterThan(plaintexts.size());

            for (ConsumerRecord<byte[], byte[]> record : records) {
                // every CloudEvents attribute, binary mode: ce_* headers, the data as the value
                IntegrationEvent event = IntegrationEventJson.read(record.value());
                assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
                assertThat(header(record, "ce_id")).isEqualTo(event.eventId());
                assertThat(header(record, "ce_source")).isEqualTo(KafkaPublisherTestConfiguration.SOURCE.toString());
                assertThat(header(record, "ce_type")).isEqualTo(CloudEventRecords.cloudEventType(event.type()));
                assertThat(header(record, "ce_subject"))
                        .isEqualTo("users/" + event.userId() + "/connections/github");
                assertThat(Instant.parse(header(record, "ce_time"))).isEqualTo(event.occurredAt());
                assertThat(header(record, "ce_dataschema")).isEqualTo(IntegrationEvent.SCHEMA_ID);
                assertThat(header(record, "content-type")).isEqualTo("application/json");
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(event.tokenSetId().toString());
                assertThat(event.globalPosition()).isNotNull();
                assertThat(IntegrationEventSchemaTest.violations(record.value()))
                        .as(new String(record.value(), StandardCharsets.UTF_8)).isEmpty();
                // no token material, in any part of the record
                byte[] raw = KafkaTopicRecords.rawBytes(record);
                for (byte[] secret : secrets) {
                    assertThat(contains(raw, secret)).as("record of %s leaks a token", event.type()).isFalse();
                }
            }
        }
    }

    @Test
    void twoInstancesPublishEverythingInOrderPerTokenSet() throws Exception {
        String topicName = newTopic(bootstrap);
        TestDatabase database = ProjectionsHarness.freshDatabase("kafka-two");
        KafkaTarget target = new KafkaTarget(bootstrap, topicName, Duration.ofSeconds(5), 20);
        List<String> plaintexts = new ArrayList<>();
        try (ProjectionsHarness first = publisherOn(database, target);
             ProjectionsHarness second = publisherOn(database, target);
             KafkaTopicRecords topic = new KafkaTopicRecords(bootstrap, topicName, PARTITIONS)) {
            for (int i = 0; i < 20; i++) {
                ProjectionsHarness writer = i % 2 == 0 || i > 10 ? first : second;
                liveALife(writer.story("two-" + i, "github", START), "two-" + i, plaintexts);
                if (i == 10) {
                    // an instance leaves mid-stream: the other takes over its segments
                    second.close();
                }
            }
            Map<String, List<String>> history = history(first);
            List<ConsumerRecord<byte[], byte[]>> records = awaitAll(topic, history, Duration.ofSeconds(60));
            assertThat(KafkaTopicRecords.firstArrivalsByKey(records)).isEqualTo(history);
        }
    }

    @Test
    void structuredModePutsOneCloudEventsJsonEnvelopeInTheValue() throws Exception {
        String topicName = newTopic(bootstrap);
        List<String> plaintexts = new ArrayList<>();
        try (ProjectionsHarness harness = publisherOn(ProjectionsHarness.freshDatabase("kafka-structured"),
                new KafkaTarget(bootstrap, topicName, Duration.ofSeconds(5), 100, "STRUCTURED"));
             KafkaTopicRecords topic = new KafkaTopicRecords(bootstrap, topicName, PARTITIONS)) {
            liveALife(harness.story("structured-1", "github", START), "structured-1", plaintexts);
            Map<String, List<String>> history = history(harness);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> topic.poll().size() >= eventCount(history));
            List<ConsumerRecord<byte[], byte[]>> records = topic.poll();

            List<String> ids = new ArrayList<>();
            EventFormat json = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                // one JSON envelope: no ce_* headers, the content type says so
                assertThat(header(record, "content-type")).isEqualTo(JsonFormat.CONTENT_TYPE);
                record.headers().forEach(h -> assertThat(h.key()).doesNotStartWith("ce_"));
                CloudEvent envelope = json.deserialize(record.value());
                IntegrationEvent event = IntegrationEventJson.read(envelope.getData().toBytes());
                assertThat(envelope.getSpecVersion().toString()).isEqualTo("1.0");
                assertThat(envelope.getId()).isEqualTo(event.eventId());
                assertThat(envelope.getSource()).isEqualTo(KafkaPublisherTestConfiguration.SOURCE);
                assertThat(envelope.getType()).isEqualTo(CloudEventRecords.cloudEventType(event.type()));
                assertThat(envelope.getSubject()).isEqualTo("users/structured-1/connections/github");
                assertThat(envelope.getTime().toInstant()).isEqualTo(event.occurredAt());
                assertThat(envelope.getDataSchema().toString()).isEqualTo(IntegrationEvent.SCHEMA_ID);
                assertThat(envelope.getDataContentType()).isEqualTo("application/json");
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(event.tokenSetId().toString());
                assertThat(IntegrationEventSchemaTest.violations(envelope.getData().toBytes())).isEmpty();
                byte[] raw = KafkaTopicRecords.rawBytes(record);
                for (String plaintext : plaintexts) {
                    assertThat(contains(raw, plaintext.getBytes(StandardCharsets.UTF_8))).isFalse();
                }
                ids.add(envelope.getId());
            }
            // one token set: every event, once, in its order
            assertThat(history).hasSize(1);
            assertThat(ids).isEqualTo(history.values().iterator().next());
        }
    }

    static List<byte[]> ciphertexts(ProjectionsHarness harness, Iterable<String> aggregateIds) {
        List<byte[]> ciphertexts = new ArrayList<>();
        for (String id : aggregateIds) {
            harness.eventStore().readEvents(id).asStream().forEach(message -> {
                Object payload = message.getPayload();
                if (payload instanceof TokenSetLinked e) {
                    add(ciphertexts, e.accessToken(), e.refreshToken(), e.idToken());
                } else if (payload instanceof TokenSetRefreshed e) {
                    add(ciphertexts, e.accessToken(), e.refreshToken(), e.idToken());
                }
            });
        }
        return ciphertexts;
    }

    private static void add(List<byte[]> ciphertexts, SealedToken... tokens) {
        for (SealedToken token : tokens) {
            if (token != null) {
                ciphertexts.add(token.ciphertext());
            }
        }
    }
}
