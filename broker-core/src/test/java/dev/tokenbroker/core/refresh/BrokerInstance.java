package dev.tokenbroker.core.refresh;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorFactory;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.LinkTokenSetCommand;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.command.TokenSet;
import dev.tokenbroker.core.command.TokenSetAggregateConfiguration;
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.TinkTokenCipher;
import dev.tokenbroker.core.crypto.TokenCipher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * One broker instance as far as refreshing goes: its own connection pool, its own Axon configuration (event store
 * on the shared database, TokenSet aggregate, refresh-schedule projection on a pooled streaming processor with its
 * own node id) and its own coordinator and scheduler. Two of these on one database behave like two processes.
 */
final class BrokerInstance implements AutoCloseable {

    static final String CONNECTOR = "sim";

    final String name;
    final HikariDataSource dataSource;
    final Configuration axon;
    final CommandGateway commands;
    final TokenCipher cipher;
    final TokenSetRefreshStateReader states;
    final RefreshLeaseStore leases;
    final RefreshMetrics metrics;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RefreshCoordinator coordinator;
    final RefreshScheduler scheduler;

    BrokerInstance(String name, String jdbcUrl, String user, String password, KeyEncryptionKey kek, RotatingIdpSimulation idp,
                   RefreshSettings settings, String readTimeout) {
        this.name = name;
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(jdbcUrl);
        dataSource.setUsername(user);
        dataSource.setPassword(password);
        dataSource.setMaximumPoolSize(settings.maxConcurrentRefreshes() + 8);
        dataSource.setPoolName(name);
        cipher = new TinkTokenCipher(new DataKeyStore(dataSource, kek), DataKeyCache.withDefaults());
        axon = axon(dataSource, cipher, settings, name).start();
        commands = axon.commandGateway();
        states = new TokenSetRefreshStateReader(axon.eventStore());
        leases = new RefreshLeaseStore(dataSource);
        metrics = new RefreshMetrics(meters);
        ConnectorRegistry connectors = ConnectorRegistry.fromProperties(Map.of(
                "broker.connectors.sim.type", "oauth2",
                "broker.connectors.sim.client-id", "broker",
                "broker.connectors.sim.client-secret", "broker-secret",
                "broker.connectors.sim.authorization-uri", idp.tokenUri().resolve("/authorize").toString(),
                "broker.connectors.sim.token-uri", idp.tokenUri().toString(),
                "broker.connectors.sim.read-timeout", readTimeout), List.of(new OAuth2ConnectorFactory()));
        coordinator = new RefreshCoordinator(states, leases, commands, connectors, cipher, settings, metrics, Clock.systemUTC(), name);
        scheduler = new RefreshScheduler(new RefreshScheduleStore(dataSource), coordinator, settings, metrics, Clock.systemUTC(), name);
    }

    private static Configurer axon(DataSource dataSource, TokenCipher cipher, RefreshSettings settings, String nodeId) {
        TransactionManager transactions = new SpringTransactionManager(new DataSourceTransactionManager(dataSource));
        ConnectionProvider connections = new UnitOfWorkAwareConnectionProviderWrapper(new SpringDataSourceConnectionProvider(dataSource));
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Serializer serializer = JacksonSerializer.builder().objectMapper(mapper).build();
        Configurer configurer = DefaultConfigurer.defaultConfiguration()
                .configureSerializer(c -> serializer)
                .configureEventSerializer(c -> serializer)
                .configureMessageSerializer(c -> serializer)
                .configureTransactionManager(c -> transactions)
                .configureEmbeddedEventStore(c -> JdbcEventStorageEngine.builder()
                        .connectionProvider(connections).transactionManager(transactions)
                        .eventSerializer(serializer).snapshotSerializer(serializer).build())
                .configureAggregate(TokenSetAggregateConfiguration.withSnapshotsEvery(TokenSetAggregateConfiguration.DEFAULT_SNAPSHOT_THRESHOLD))
                .registerComponent(TokenCipher.class, c -> cipher);
        configurer.eventProcessing()
                .registerPooledStreamingEventProcessor(RefreshScheduleProjection.PROCESSING_GROUP, Configuration::eventStore,
                        (c, builder) -> builder.batchSize(RefreshScheduleProjection.BATCH_SIZE))
                .registerEventHandler(c -> new RefreshScheduleProjection(dataSource, new RefreshTiming(settings)))
                .registerTokenStore(c -> JdbcTokenStore.builder().connectionProvider(connections).serializer(serializer)
                        .nodeId(nodeId).build());
        return configurer;
    }

    /** Links a token set for a new user with the IdP's grant, as the connect callback would. */
    TokenSetId link(String userId, String refreshToken, Instant accessTokenExpiresAt) {
        TokenSetId id = TokenSetId.of(userId, CONNECTOR);
        commands.sendAndWait(new LinkTokenSetCommand(id, userId, CONNECTOR, TokenValue.of("at-initial-" + userId),
                TokenValue.of(refreshToken), null, accessTokenExpiresAt, null, Set.of("read"), "sub-" + userId, null,
                Actor.user(userId, "connect-session"), "test link"));
        return id;
    }

    TokenSetRefreshState state(TokenSetId id) {
        return states.read(id).orElseThrow();
    }

    @Override
    public void close() {
        scheduler.close();
        coordinator.close();
        axon.shutdown();
        dataSource.close();
    }
}
