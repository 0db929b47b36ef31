package dev.tokenbroker.projections;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic as raw records, the way a consumer sees the bytes. */
final class KafkaTopicRecords implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    KafkaTopicRecords(String bootstrapServers, String topic, int partitions) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> assigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(topic, p));
        }
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
    }

    static void createTopic(String bootstrapServers, String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + topic, e);
        }
    }

    /** Everything received so far, after one more poll. */
    synchronized List<ConsumerRecord<byte[], byte[]>> poll() {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return List.copyOf(records);
    }

    /** Only what arrived in this poll, without keeping it (for long runs). */
    synchronized List<ConsumerRecord<byte[], byte[]>> pollNew() {
        List<ConsumerRecord<byte[], byte[]>> fresh = new ArrayList<>();
        consumer.poll(Duration.ofMillis(100)).forEach(fresh::add);
        return fresh;
    }

    /** The CloudEvents id header of a record. */
    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Per key, the ids in the order of their first arrival (consumers deduplicate on the id). */
    static Map<String, List<String>> firstArrivalsByKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            List<String> ids = byKey.computeIfAbsent(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8),
                    k -> new ArrayList<>());
            String id = header(record, "ce_id");
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return byKey;
    }

    /** Every byte of a record: key, header names and values, value. */
    static byte[] rawBytes(ConsumerRecord<byte[], byte[]> record) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(record.key() == null ? new byte[0] : record.key());
        for (Header header : record.headers()) {
            out.writeBytes(header.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.writeBytes(header.value() == null ? new byte[0] : header.value());
        }
        out.writeBytes(record.value() == null ? new byte[0] : record.value());
        return out.toByteArray();
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
