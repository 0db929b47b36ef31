package dev.tokenbroker.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.testsupport.InterruptibleKafka;

/**
 * Kafka goes away mid-stream while users link and backends fetch (and so refresh) tokens, then comes
 * back: every command is answered during the outage, the publisher shows DEGRADED (HTTP 200) with a
 * growing lag, and afterwards every event of the event store has arrived, in order per token set, the
 * lag is back to 0 and the publisher UP.
 *
 * <p>Its own Kafka ({@link InterruptibleKafka}: a KRaft broker behind a TCP forwarder that the test
 * cuts and restores), its own context (closed after the class, the broker after the context).
 */
@BrokerApiTest
@ContextConfiguration(initializers = KafkaOutageApiTest.OutageKafka.class)
@TestPropertySource(properties = {
        "broker.events.kafka.topic=" + KafkaOutageApiTest.TOPIC,
        "broker.events.kafka.source=https://broker.test.example",
        "broker.events.kafka.send-timeout=2s",
        "broker.events.kafka.batch-size=20",
        "broker.events.kafka.create-topic.enabled=true",
        "broker.events.kafka.create-topic.partitions=3",
        "broker.events.kafka.create-topic.replication=1",
        "spring.kafka.producer.properties.reconnect.backoff.max.ms=500",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class KafkaOutageApiTest {

    static final String TOPIC = "outage-token-set-events";
    /**
     * Commands never wait for Kafka. A link is four HTTP exchanges (connect session, IdP, callback); on
     * the shared 2-core build machine (load average 20+) one took 5.9 s with Kafka up. A command waiting
     * on Kafka would take the whole outage or fail; this bound only catches that.
     */
    static final Duration COMMAND_BOUND = Duration.ofSeconds(15);

    /** Starts the dedicated broker before the context and registers it to be closed after every other bean. */
    static final class OutageKafka implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        static volatile InterruptibleKafka kafka;

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            InterruptibleKafka started = InterruptibleKafka.launch();
            kafka = started;
            // registered first, destroyed last: after the producer and the processors
            ((DefaultSingletonBeanRegistry) context.getBeanFactory()).registerDisposableBean("outageKafka", started::close);
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("outageKafka",
                    Map.of("spring.kafka.bootstrap-servers", started.bootstrapServers())));
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KafkaPublisherHealthIndicator healthIndicator;

    ApiClients api;
    String app;
    String backend;
    String admin;
    final List<String> users = new ArrayList<>();
    final AtomicLong slowestCommandMillis = new AtomicLong();
    int commands;

    @Test
    void anOutageStopsNoCommandLosesNoEventAndShowsAsDegradedWithAGrowingLag() throws Exception {
        InterruptibleKafka kafka = OutageKafka.kafka;
        api = new ApiClients(port);
        app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        admin = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);

        // before: published, caught up
        for (int i = 0; i < 3; i++) {
            linkAndRefresh();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(healthIndicator.health().getStatus()).isEqualTo(Status.UP);
            assertThat(lag("events")).isZero();
        });

        kafka.stop();
        // during: commands keep being answered; the publisher turns DEGRADED, the broker stays at 200
        await("DEGRADED with a lag").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            linkAndRefresh();
            HttpResponse<String> health = api.get("/actuator/health", null);
            assertThat(health.statusCode()).isEqualTo(200);
            return "DEGRADED".equals(api.json(health).get("status").asText())
                    && healthIndicator.health().getStatus().equals(KafkaPublisherHealthIndicator.DEGRADED)
                    && lag("events") > 0 && lag("seconds") > 0;
        });
        double firstLag = lag("events");
        await("the lag grows while commands go on").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    linkAndRefresh();
                    return lag("events") > firstLag;
                });
        Health degraded = healthIndicator.health();
        assertThat(degraded.getStatus()).isEqualTo(KafkaPublisherHealthIndicator.DEGRADED);
        assertThat(degraded.getDetails()).containsKeys("lastFailure", "lastError");
        assertThat(api.get("/actuator/health", null).statusCode()).isEqualTo(200);

        kafka.start();
        // after: more commands, then every event arrives and the publisher is UP with no lag
        linkAndRefresh();
        await("caught up").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(healthIndicator.health().getStatus()).isEqualTo(Status.UP);
            assertThat(lag("events")).isZero();
            assertThat(lag("seconds")).isZero();
        });
        assertThat(api.json(api.get("/actuator/health", null)).get("status").asText()).isEqualTo("UP");

        Map<String, List<String>> history = history();
        long events = history.values().stream().mapToLong(List::size).sum();
        assertThat(history).hasSizeGreaterThanOrEqualTo(users.size());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "outage-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return firstArrivals(records).values().stream().mapToLong(List::size).sum() >= events;
            });
        }
        // every event, none out of order per token set (redelivered duplicates allowed: consumers deduplicate on id)
        assertThat(firstArrivals(records)).isEqualTo(history);
        assertThat(slowestCommandMillis.get()).as("slowest of %d commands, in ms", commands)
                .isLessThan(COMMAND_BOUND.toMillis());
        System.out.printf("KAFKA-OUTAGE events=%d records=%d commands=%d slowest-command=%dms%n",
                events, records.size(), commands, slowestCommandMillis.get());
    }

    /**
     * A new user links; the tokens of the last few users are fetched with a validity only a refresh
     * gives (a refresh and a hand-out each).
     */
    private void linkAndRefresh() throws Exception {
        String user = "outage-" + users.size() + "-" + UUID.randomUUID().toString().substring(0, 8);
        long start = System.nanoTime();
        new DemoLinking(api).link(app, user, "upstream-" + user);
        answered(start);
        users.add(user);
        for (String linked : users.subList(Math.max(0, users.size() - 3), users.size())) {
            long fetch = System.nanoTime();
            HttpResponse<String> token = api.get("/v1/users/" + linked + "/connections/demo/token?min_validity=86400",
                    backend);
            assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
            answered(fetch);
        }
    }

    private void answered(long startNanos) {
        commands++;
        slowestCommandMillis.accumulateAndGet((System.nanoTime() - startNanos) / 1_000_000, Math::max);
    }

    private double lag(String unit) throws Exception {
        HttpResponse<String> metric = api.get("/actuator/metrics/broker.events.kafka.lag." + unit, admin);
        assertThat(metric.statusCode()).isEqualTo(200);
        JsonNode value = api.json(metric).at("/measurements/0/value");
        return value.asDouble();
    }

    /** Event ids per token set, in sequence order, from the event store. */
    private Map<String, List<String>> history() {
        Map<String, List<String>> byTokenSet = new LinkedHashMap<>();
        jdbc.query("SELECT aggregateidentifier, eventidentifier FROM domainevententry WHERE type = 'TokenSet'"
                + " ORDER BY aggregateidentifier, sequencenumber",
                rs -> {
                    byTokenSet.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return byTokenSet;
    }

    /** Event ids per key in order of first arrival. */
    private static Map<String, List<String>> firstArrivals(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            List<String> ids = byKey.computeIfAbsent(new String(record.key(), StandardCharsets.UTF_8), k -> new ArrayList<>());
            String id = new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8);
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return byKey;
    }
}
