package dev.tokenbroker.projections;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.tokenbroker.projections.KafkaPublisherTestConfiguration.KafkaTarget;
import dev.tokenbroker.testsupport.TestInfrastructure;

/**
 * Events/s appended vs published, and append → consumer latency, in one run. Not a test: run with
 * {@code ./mvnw -B -pl projections -am test -Dtest=KafkaPublisherBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbroker.test.excludedGroups=none -Dgroups=benchmark -Dbroker.test.argLine=-Xshare:auto}; numbers in
 * {@code benchmarks/kafka-publisher/RESULTS.md}.
 */
@Tag("benchmark")
class KafkaPublisherBenchmark {

    static final int TOKEN_SETS = 400;
    static final int REFRESHES_PER_TOKEN_SET = 9;

    @Test
    void publishingKeepsUpWithAppending() throws Exception {
        String bootstrap = TestInfrastructure.kafka().bootstrapServers();
        String topicName = KafkaPublisherTest.newTopic(bootstrap);
        Map<String, Long> appendedAtNanos = new ConcurrentHashMap<>();
        Map<String, Long> receivedAtNanos = new ConcurrentHashMap<>();
        try (ProjectionsHarness harness = KafkaPublisherTest.publisherOn(ProjectionsHarness.freshDatabase("kafka-bench"),
                new KafkaTarget(bootstrap, topicName, Duration.ofSeconds(5), 100));
             KafkaTopicRecords topic = new KafkaTopicRecords(bootstrap, topicName, KafkaPublisherTest.PARTITIONS)) {
            AtomicBoolean appending = new AtomicBoolean(true);
            Thread consumer = new Thread(() -> {
                while (appending.get() || receivedAtNanos.size() < appendedAtNanos.size()) {
                    for (ConsumerRecord<byte[], byte[]> record : topic.pollNew()) {
                        receivedAtNanos.putIfAbsent(KafkaTopicRecords.header(record, "ce_id"), System.nanoTime());
                    }
                }
            });
            consumer.start();
            Instant start = Instant.parse("2025-03-01T08:00:00Z");
            List<TokenSetStory> stories = new ArrayList<>();
            for (int i = 0; i < TOKEN_SETS; i++) {
                stories.add(harness.story("bench-" + i, "github", start));
            }
            long t0 = System.nanoTime();
            for (int round = 0; round <= REFRESHES_PER_TOKEN_SET; round++) {
                for (TokenSetStory story : stories) {
                    if (round == 0) {
                        story.link("at-" + round, "rt", start.plusSeconds(3600), Set.of("repo"));
                    } else {
                        story.refresh("at-" + round, null, start.plusSeconds(3600L * round));
                    }
                    appendedAtNanos.put(story.lastMessage().getIdentifier(), System.nanoTime());
                }
            }
            long appendedNanos = System.nanoTime() - t0;
            appending.set(false);
            int total = appendedAtNanos.size();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> receivedAtNanos.size() >= total);
            long publishedNanos = receivedAtNanos.values().stream().mapToLong(Long::longValue).max().orElseThrow() - t0;
            consumer.join();
            List<Long> latencies = new ArrayList<>();
            appendedAtNanos.forEach((id, at) -> latencies.add(receivedAtNanos.get(id) - at));
            latencies.sort(null);
            System.out.printf("KAFKA-PUBLISHER-BENCHMARK events=%d appended/s=%.0f published/s=%.0f"
                            + " latency p50=%.0fms p99=%.0fms max=%.0fms%n",
                    total, total / (appendedNanos / 1e9), total / (publishedNanos / 1e9),
                    latencies.get(total / 2) / 1e6, latencies.get((int) (total * 0.99)) / 1e6,
                    latencies.get(total - 1) / 1e6);
        }
    }
}
