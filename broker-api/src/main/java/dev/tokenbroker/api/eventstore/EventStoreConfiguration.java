package dev.tokenbroker.api.eventstore;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The application's {@link JdbcEventStorageEngine}, defined here rather than by Axon's
 * {@code JdbcAutoConfiguration} only to choose how long processors wait for uncommitted global indexes
 * ({@link EventStoreProperties}). Everything else mirrors the auto-configuration of Axon 4.13: the
 * Jackson serializers (snapshots with the general one, events with {@code eventSerializer}), the
 * upcaster chain and snapshot filter of the Axon configuration, the PostgreSQL schema Flyway creates
 * ({@link EventSchema} defaults — the auto-configuration's {@code EventSchema} bean backs off as soon as an
 * engine is defined, so it is built here unless the context has one; no DDL from Axon), its
 * {@link PersistenceExceptionResolver}, connection provider and Spring-backed {@link TransactionManager}
 * (still auto-configured beans).
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EventStoreProperties.class)
public class EventStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EventStoreConfiguration.class);

    @Bean
    public EventStorageEngine eventStorageEngine(Serializer defaultSerializer,
                                                 PersistenceExceptionResolver persistenceExceptionResolver,
                                                 @Qualifier("eventSerializer") Serializer eventSerializer,
                                                 Configuration configuration, ConnectionProvider connectionProvider,
                                                 TransactionManager transactionManager, ObjectProvider<EventSchema> eventSchema,
                                                 EventStoreProperties properties) {
        log.info("Event store: JDBC, processors wait {} for uncommitted positions (gap cleaning above {} gaps,"
                        + " max gap offset {})", properties.gapTimeout(), properties.gapCleaningThreshold(),
                properties.maxGapOffset());
        return JdbcEventStorageEngine.builder()
                .snapshotSerializer(defaultSerializer)
                .upcasterChain(configuration.upcasterChain())
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .eventSerializer(eventSerializer)
                .snapshotFilter(configuration.snapshotFilter())
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(eventSchema.getIfAvailable(EventSchema::new))
                .gapTimeout(properties.gapTimeoutMillis())
                .gapCleaningThreshold(properties.gapCleaningThreshold())
                .maxGapOffset(properties.maxGapOffset())
                .build();
    }
}
