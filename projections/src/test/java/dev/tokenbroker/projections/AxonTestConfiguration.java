package dev.tokenbroker.projections;

import java.util.List;

import javax.sql.DataSource;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.tokenbroker.core.command.TokenSet;
import dev.tokenbroker.core.command.TokenSetAggregateConfiguration;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.testsupport.TestDatabase;

/**
 * What the application's Axon Spring Boot starter provides, built by hand for a small Spring context:
 * a pooled data source, Spring's transaction manager (shared by the event store, the token store and
 * the projections), the Jackson serializer, the JDBC event store and token store, the {@code TokenSet}
 * aggregate (with whichever {@link TokenCipher} bean the test brings), and an Axon
 * configuration that registers the {@code @ProcessingGroup} beans and applies the {@link ConfigurerModule} beans.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
class AxonTestConfiguration {

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(TestDatabase database) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.username());
        config.setPassword(database.password());
        config.setMaximumPoolSize(10);
        return new HikariDataSource(config);
    }

    @Bean
    PlatformTransactionManager transactionManager(DataSource dataSource) {
        return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    JdbcTemplate jdbcTemplate(DataSource dataSource) {
        return new JdbcTemplate(dataSource);
    }

    @Bean
    Serializer serializer() {
        return JacksonSerializer.builder()
                .objectMapper(new ObjectMapper().registerModule(new JavaTimeModule()))
                .build();
    }

    @Bean(destroyMethod = "shutdown")
    Configuration axonConfiguration(DataSource dataSource, PlatformTransactionManager transactionManager,
                                    Serializer serializer, TokenCipher cipher, List<ConfigurerModule> modules,
                                    ApplicationContext context, ObjectProvider<EngineTuning> tuning) {
        EngineTuning engine = tuning.getIfAvailable(() -> builder -> builder);
        SpringTransactionManager axonTransactions = new SpringTransactionManager(transactionManager);
        ConnectionProvider connections = new SpringDataSourceConnectionProvider(dataSource);
        Configurer configurer = DefaultConfigurer.defaultConfiguration()
                .configureSerializer(c -> serializer)
                .configureEventSerializer(c -> serializer)
                .configureMessageSerializer(c -> serializer)
                .configureTransactionManager(c -> axonTransactions)
                .configureEmbeddedEventStore(c -> engine.apply(JdbcEventStorageEngine.builder()
                        .connectionProvider(connections)
                        .transactionManager(axonTransactions)
                        .eventSerializer(serializer)
                        .snapshotSerializer(serializer))
                        .build())
                // the aggregate, for tests that go through commands; its handlers take the cipher as a resource
                .registerComponent(TokenCipher.class, c -> cipher)
                .configureAggregate(TokenSetAggregateConfiguration.withSnapshotsEvery(TokenSetAggregateConfiguration.DEFAULT_SNAPSHOT_THRESHOLD));
        configurer.eventProcessing()
                .registerTokenStore(c -> JdbcTokenStore.builder()
                        .connectionProvider(connections)
                        .serializer(serializer)
                        .build());
        context.getBeansWithAnnotation(ProcessingGroup.class).values()
                .forEach(handler -> configurer.eventProcessing().registerEventHandler(c -> handler));
        modules.forEach(module -> module.configureModule(configurer));
        return configurer.start();
    }

    /** A test's changes to the storage engine (e.g. a short gap timeout), registered as a bean. */
    @FunctionalInterface
    interface EngineTuning extends java.util.function.UnaryOperator<JdbcEventStorageEngine.Builder> {
    }
}
