package dev.tokenbroker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.testsupport.WithTestInfrastructure;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/** The platform as DESIGN.md pins it, asserted on the running application. */
@BrokerApiTest
class PlatformWiringTest {

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    DataSource dataSource;
    @Autowired
    EventStorageEngine eventStorageEngine;
    @Autowired
    TokenStore tokenStore;
    @Autowired
    TransactionManager axonTransactionManager;
    @Autowired
    Serializer serializer;
    @Autowired
    @Qualifier("eventSerializer")
    Serializer eventSerializer;
    @Autowired
    @Qualifier("messageSerializer")
    Serializer messageSerializer;
    @Autowired
    TestRestTemplate http;
    @Autowired
    org.axonframework.config.Configuration axon;

    @Test
    void flywayOwnsTheSchemaIncludingAxonTables() {
        Integer failed = jdbc.queryForObject(
                "select count(*) from flyway_schema_history where not success", Integer.class);
        Integer applied = jdbc.queryForObject(
                "select count(*) from flyway_schema_history where success and version = '1'", Integer.class);
        assertThat(failed).isZero();
        assertThat(applied).isEqualTo(1);
        assertThat(jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'public'", String.class))
                .contains("domainevententry", "snapshotevententry", "tokenentry", "deadletterentry");
        assertThat(jdbc.queryForObject(
                "select data_type from information_schema.columns where table_name = 'domainevententry' "
                        + "and column_name = 'payload'", String.class)).isEqualTo("bytea");
    }

    @Test
    void eventsAreStoredByTheJdbcEngineOnPostgreSql() throws Exception {
        assertThat(eventStorageEngine).isInstanceOf(JdbcEventStorageEngine.class);
        assertThat(tokenStore).isInstanceOf(JdbcTokenStore.class);
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
    }

    @Test
    void axonUsesSpringsTransactionManagerNotTheNoOpFallback() {
        assertThat(axonTransactionManager).isInstanceOf(SpringTransactionManager.class);
    }

    @Test
    void everySerializerIsJackson() {
        assertThat(serializer).isInstanceOf(JacksonSerializer.class);
        assertThat(eventSerializer).isInstanceOf(JacksonSerializer.class);
        assertThat(messageSerializer).isInstanceOf(JacksonSerializer.class);
    }

    /**
     * The embedded event store's stream has no availability callback, so a pooled processor reading it directly
     * polls every 500 ms and runs all its work packages each time. Each reads through a PrefetchingMessageSource,
     * whose reader thread is named after the group.
     */
    @Test
    void everyPooledProcessorIsToldOfNewEventsInsteadOfPolling() {
        List<String> pooled = axon.eventProcessingConfiguration().eventProcessors().values().stream()
                .filter(PooledStreamingEventProcessor.class::isInstance)
                .map(EventProcessor::getName)
                .toList();
        assertThat(pooled).contains("token-set-view", "token-set-history", "refresh-schedule", "event-chain");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(Thread::isAlive)
                .extracting(Thread::getName)
                .containsAll(pooled.stream().map(group -> group + "-prefetch").toList()));
        assertThat(jdbc.queryForObject("select count(*) from tokenentry where processorname = 'refresh-schedule'",
                Integer.class)).as("segments of the refresh schedule, like the read models'").isEqualTo(4);
    }

    @Test
    void healthIsUp() {
        var response = http.getForEntity("/actuator/health", String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).contains("\"status\":\"UP\"");
    }
}
