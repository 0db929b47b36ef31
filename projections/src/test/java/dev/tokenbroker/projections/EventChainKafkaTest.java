package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.projections.chain.ChainLink;
import dev.tokenbroker.projections.chain.ChainLinkJson;
import dev.tokenbroker.projections.chain.CheckpointJson;
import dev.tokenbroker.projections.chain.CheckpointSigningKeys;
import dev.tokenbroker.projections.chain.EventChainConfiguration;
import dev.tokenbroker.projections.chain.EventChainEncoding;
import dev.tokenbroker.projections.chain.EventChainRepository;
import dev.tokenbroker.projections.chain.EventChainSettings;
import dev.tokenbroker.projections.chain.KafkaCheckpointSink;
import dev.tokenbroker.projections.chain.VerifyExportCommand;
import dev.tokenbroker.testsupport.InterruptibleKafka;

/**
 * The Kafka checkpoint topic against a real (embedded KRaft) broker: every checkpoint arrives keyed by its
 * chain index, checkpoints signed while Kafka is unreachable arrive once it is back, and a dump of the topic
 * catches a database rewritten and rehashed by someone without the signing key, whose checkpoints are gone.
 */
class EventChainKafkaTest {

    static final Instant START = Instant.parse("2026-05-04T08:00:00Z");

    @Test
    void checkpointsReachTheTopicAlsoAfterAnOutageAndItsCopyCatchesARewrittenDatabase() throws Exception {
        String topic = "token-set-events.checkpoints";
        KekRing keks = EventChainHarness.newKekRing("kek-kafka");
        try (InterruptibleKafka kafka = InterruptibleKafka.launch()) {
            KafkaTopicRecords.createTopic(kafka.bootstrapServers(), topic, 1);
            try (Producer<String, String> producer = producer(kafka.bootstrapServers());
                 ProjectionsHarness harness = ProjectionsHarness.startOn(ProjectionsHarness.freshDatabase("chain-kafka"), context -> {
                     context.registerBean(KekRing.class, () -> keks);
                     context.registerBean(EventChainSettings.class, () -> new EventChainSettings(
                             EventChainHarness.MANUAL_SIGNING_FAST_COPIES, null, 100, Duration.ofHours(1)));
                     context.registerBean(KafkaCheckpointSink.class, () -> new KafkaCheckpointSink(producer, topic,
                             new JdbcTemplate(context.getBean(DataSource.class)), Duration.ofSeconds(3), Clock.systemUTC()));
                 }, EventChainConfiguration.class);
                 KafkaTopicRecords records = new KafkaTopicRecords(kafka.bootstrapServers(), topic, 1)) {
                for (int i = 0; i < 3; i++) {
                    KafkaPublisherTest.liveALife(harness.story("kafka-" + i, "github", START), "kafka-" + i, new ArrayList<>());
                    EventChainHarness.awaitChained(harness);
                    EventChainHarness.sign(harness);
                }
                Map<Long, String> onTopic = awaitCheckpoints(records, stored(harness));
                assertThat(onTopic.keySet()).hasSize(3);

                // Kafka unreachable: signing goes on, the checkpoints wait in the table
                kafka.stop();
                for (int i = 3; i < 5; i++) {
                    KafkaPublisherTest.liveALife(harness.story("kafka-" + i, "google", START), "kafka-" + i, new ArrayList<>());
                    EventChainHarness.awaitChained(harness);
                    EventChainHarness.sign(harness);
                }
                assertThat(stored(harness)).hasSize(5);
                kafka.start();
                onTopic = awaitCheckpoints(records, stored(harness));
                assertThat(jwsOf(onTopic)).isEqualTo(stored(harness));

                // the attacker: flips a payload byte, rehashes the chain from there, deletes every stored checkpoint
                long tampered = EventChainHarness.positionAt(harness, 14);
                harness.jdbc().update("UPDATE domainevententry SET payload = set_byte(payload, 5, get_byte(payload, 5) # 1)"
                        + " WHERE globalindex = ?", tampered);
                recomputeChainFrom(harness, 14);
                harness.jdbc().update("DELETE FROM event_chain_checkpoint");

                // the auditor: the export from the database, the topic's values as the checkpoints file, the JWKS
                Path dir = Files.createTempDirectory("kafka-dump");
                List<String> exportLines = new ArrayList<>();
                for (ChainLink link : EventChainHarness.export(harness)) {
                    exportLines.add(ChainLinkJson.toLine(link));
                }
                Files.write(dir.resolve("chain.ndjson"), exportLines);
                Files.write(dir.resolve("checkpoints.ndjson"), new ArrayList<>(onTopic.values()));
                Files.writeString(dir.resolve("keys.json"), harness.bean(CheckpointSigningKeys.class).jwks());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int exit = VerifyExportCommand.run(new String[]{"verify-export",
                        "--export", dir.resolve("chain.ndjson").toString(),
                        "--checkpoints", dir.resolve("checkpoints.ndjson").toString(),
                        "--jwks", dir.resolve("keys.json").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err);
                String verdict = out.toString(StandardCharsets.UTF_8);
                assertThat(exit).as(verdict).isEqualTo(1);
                assertThat(verdict).contains("\"status\" : \"broken\"").contains("\"reason\" : \"changed\"");

                // without the topic's copy the rewrite passes: the copy is what catches it
                Files.write(dir.resolve("checkpoints.ndjson"), List.of());
                assertThat(VerifyExportCommand.run(new String[]{"verify-export",
                        "--export", dir.resolve("chain.ndjson").toString(),
                        "--checkpoints", dir.resolve("checkpoints.ndjson").toString(),
                        "--jwks", dir.resolve("keys.json").toString()}, new PrintStream(new ByteArrayOutputStream()),
                        System.err)).isZero();
            }
        }
    }

    static Producer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2990,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
    }

    /** The stored checkpoints' JWS by chain index. */
    static Map<Long, String> stored(ProjectionsHarness harness) {
        Map<Long, String> byIndex = new TreeMap<>();
        harness.jdbc().query("SELECT chain_index, jws FROM event_chain_checkpoint ORDER BY chain_index",
                rs -> {
                    byIndex.put(rs.getLong(1), rs.getString(2));
                });
        return byIndex;
    }

    static Map<Long, String> jwsOf(Map<Long, String> lines) {
        Map<Long, String> jws = new TreeMap<>();
        lines.forEach((index, line) -> jws.put(index, CheckpointJson.jwsOf(line)));
        return jws;
    }

    /** Waits until the topic holds a record for every expected chain index; answers the values by key. */
    static Map<Long, String> awaitCheckpoints(KafkaTopicRecords records, Map<Long, String> expected) {
        Map<Long, String> byKey = new TreeMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (ConsumerRecord<byte[], byte[]> record : records.poll()) {
                byKey.put(Long.parseLong(new String(record.key(), StandardCharsets.UTF_8)),
                        new String(record.value(), StandardCharsets.UTF_8));
            }
            return byKey.keySet().containsAll(expected.keySet());
        });
        return byKey;
    }

    /** What an attacker with database access but without the signing key can do: rehash from a link on. */
    static void recomputeChainFrom(ProjectionsHarness harness, long chainIndex) {
        List<ChainLink> links = new ArrayList<>();
        harness.bean(EventChainRepository.class).walk(chainIndex, Long.MAX_VALUE, link -> links.add(link.stored()));
        byte[] previous = harness.jdbc().queryForObject("SELECT digest FROM event_chain WHERE chain_index = ?",
                byte[].class, chainIndex - 1);
        long index = chainIndex;
        for (ChainLink link : links) {
            previous = EventChainEncoding.next(previous, link);
            harness.jdbc().update("UPDATE event_chain SET digest = ? WHERE chain_index = ?", previous, index++);
        }
    }
}
