package dev.tokenbroker.core.eventstore;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tokenbroker.core.command.TokenSet;
import dev.tokenbroker.core.command.TokenSetAggregateConfiguration;
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.LocalKeysetFile;
import dev.tokenbroker.core.crypto.TinkTokenCipher;
import dev.tokenbroker.core.crypto.TokenCipher;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbroker.testsupport.TestDatabase;
import dev.tokenbroker.testsupport.TestInfrastructure;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The TokenSet aggregate on a real event store, wired in plain Java the way broker-api wires it with
 * Spring: JdbcEventStorageEngine on PostgreSQL (schema from Flyway), Jackson with java.time, the
 * TokenCipher as an injectable resource, and the data keys in their own table.
 */
final class TokenSetStack implements AutoCloseable {

    final DataSource dataSource;
    final JdbcTemplate jdbc;
    final LocalKeysetFile keysetFile;
    final KekRing keks;
    final DataKeyStore dataKeys;
    final DataKeyCache cache;
    final TinkTokenCipher cipher;
    final JdbcEventStorageEngine storageEngine;
    final CountingEventStorageEngine countingStorageEngine;
    final Configuration axon;

    TokenSetStack(String databaseHint, Path directory) {
        TestDatabase database = TestInfrastructure.postgres().createDatabase(databaseHint).migrate();
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(database.jdbcUrl());
        pool.setUsername(database.username());
        pool.setPassword(database.password());
        pool.setMaximumPoolSize(4);
        dataSource = pool;
        jdbc = new JdbcTemplate(dataSource);
        keysetFile = new LocalKeysetFile(directory.resolve("kek.json"));
        KeyEncryptionKey kek = keysetFile.generate();
        keks = new KekRing(kek);
        dataKeys = new DataKeyStore(dataSource, keks);
        cache = DataKeyCache.withDefaults();
        cipher = new TinkTokenCipher(dataKeys, cache);
        JacksonSerializer serializer = JacksonSerializer.builder()
                .objectMapper(JsonMapper.builder().findAndAddModules().build())
                .build();
        storageEngine = JdbcEventStorageEngine.builder()
                .connectionProvider(new UnitOfWorkAwareConnectionProviderWrapper(new DataSourceConnectionProvider(dataSource)))
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .build();
        countingStorageEngine = new CountingEventStorageEngine(storageEngine);
        axon = DefaultConfigurer.defaultConfiguration()
                .configureSerializer(c -> serializer)
                .configureEventSerializer(c -> serializer)
                .configureMessageSerializer(c -> serializer)
                .configureEmbeddedEventStore(c -> countingStorageEngine)
                .registerComponent(TokenCipher.class, c -> cipher)
                .configureAggregate(TokenSetAggregateConfiguration.withSnapshotsEvery(TokenSetAggregateConfiguration.DEFAULT_SNAPSHOT_THRESHOLD))
                .buildConfiguration();
        axon.start();
    }

    CommandGateway commands() {
        return axon.commandGateway();
    }

    /** Every stored event's payload, in global order, deserialized with the stack's serializer. */
    List<Object> allEventPayloads() {
        try (var events = storageEngine.readEvents(null, false)) {
            return events.map(TrackedEventMessage::getPayload).collect(Collectors.toList());
        }
    }

    @Override
    public void close() {
        axon.shutdown();
        ((HikariDataSource) dataSource).close();
    }
}
