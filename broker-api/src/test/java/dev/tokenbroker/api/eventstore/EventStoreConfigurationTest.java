package dev.tokenbroker.api.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcSQLErrorCodesResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.util.ReflectionTestUtils;

import dev.tokenbroker.api.BrokerApiTest;

/**
 * The application's storage engine: the gap settings chosen in {@link EventStoreProperties}, the rest as
 * Axon's auto-configuration would set it.
 */
@BrokerApiTest
class EventStoreConfigurationTest {

    @Autowired
    EventStorageEngine engine;
    @Autowired
    Serializer serializer;
    @Autowired
    @Qualifier("eventSerializer")
    Serializer eventSerializer;
    @Autowired
    TransactionManager transactions;

    @Test
    void theEngineWaitsTenMinutesForUncommittedPositionsAndKeepsTheAutoConfiguredCollaborators() {
        assertThat(engine).isInstanceOf(JdbcEventStorageEngine.class);
        assertThat(ReflectionTestUtils.getField(engine, "gapTimeout")).isEqualTo(600_000);
        assertThat(ReflectionTestUtils.getField(engine, "gapCleaningThreshold")).isEqualTo(250);
        assertThat(ReflectionTestUtils.getField(engine, "maxGapOffset")).isEqualTo(100_000);
        assertThat(((JdbcEventStorageEngine) engine).getEventSerializer()).isSameAs(eventSerializer);
        assertThat(((JdbcEventStorageEngine) engine).getSnapshotSerializer()).isSameAs(serializer);
        assertThat(ReflectionTestUtils.getField(engine, "transactionManager")).isSameAs(transactions)
                .isInstanceOf(SpringTransactionManager.class);
        assertThat(ReflectionTestUtils.getField(engine, "persistenceExceptionResolver"))
                .isInstanceOf(JdbcSQLErrorCodesResolver.class);
        EventSchema schema = (EventSchema) ReflectionTestUtils.getField(engine, "schema");
        assertThat(schema.domainEventTable()).isEqualTo(new EventSchema().domainEventTable());
    }

    @Test
    void settingsThatWouldDropOpenTransactionsAreRejectedNamingTheSetting() {
        assertThatThrownBy(() -> new EventStoreProperties(Duration.ofMillis(10), 250, 100_000))
                .hasMessageContaining("broker.event-store.gap-timeout");
        assertThatThrownBy(() -> new EventStoreProperties(Duration.ofMinutes(10), 0, 100_000))
                .hasMessageContaining("broker.event-store.gap-cleaning-threshold");
        assertThatThrownBy(() -> new EventStoreProperties(Duration.ofMinutes(10), 250, 500))
                .hasMessageContaining("broker.event-store.max-gap-offset");
    }
}
