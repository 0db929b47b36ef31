package dev.tokenbroker.projections;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import javax.sql.DataSource;

import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.Configuration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.testsupport.TestDatabase;
import dev.tokenbroker.testsupport.TestInfrastructure;

/** A fresh migrated database, the projections' Spring configuration and a running Axon setup on it. */
final class ProjectionsHarness implements AutoCloseable {

    private final AnnotationConfigApplicationContext context;

    private ProjectionsHarness(AnnotationConfigApplicationContext context) {
        this.context = context;
    }

    /** With the in-memory test cipher. */
    static ProjectionsHarness start(String hint) {
        return start(hint, InMemoryTokenCipher.class, dataSource -> new InMemoryTokenCipher());
    }

    /**
     * On an existing database (e.g. a second broker instance on the first one's database), with the
     * in-memory test cipher and further configuration classes.
     */
    static ProjectionsHarness startOn(TestDatabase database, java.util.function.Consumer<AnnotationConfigApplicationContext> beans,
                                      Class<?>... configurations) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean(TestDatabase.class, () -> database);
        beans.accept(context);
        context.registerBean(InMemoryTokenCipher.class, InMemoryTokenCipher::new);
        context.register(AxonTestConfiguration.class, ProjectionsConfiguration.class);
        context.register(configurations);
        context.refresh();
        return new ProjectionsHarness(context);
    }

    /** With the given {@link TokenCipher}, built once the context's data source exists. */
    static <C extends TokenCipher> ProjectionsHarness start(String hint, Class<C> cipherType,
                                                           Function<DataSource, C> cipher) {
        TestDatabase database = TestInfrastructure.postgres().createDatabase(hint).migrate();
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean(TestDatabase.class, () -> database);
        context.registerBean(cipherType, () -> cipher.apply(context.getBean(DataSource.class)));
        context.register(AxonTestConfiguration.class, ProjectionsConfiguration.class);
        context.refresh();
        return new ProjectionsHarness(context);
    }

    /** The database of a fresh migrated test database, for {@link #startOn}. */
    static TestDatabase freshDatabase(String hint) {
        return TestInfrastructure.postgres().createDatabase(hint).migrate();
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    JdbcTemplate jdbc() {
        return bean(JdbcTemplate.class);
    }

    TokenCipher cipher() {
        return bean(TokenCipher.class);
    }

    CommandGateway commands() {
        return bean(Configuration.class).commandGateway();
    }

    EventStore eventStore() {
        return bean(Configuration.class).eventStore();
    }

    TokenSetStory story(String userId, String connectorId, Instant start) {
        return new TokenSetStory(userId, connectorId, cipher(), eventStore(), start);
    }

    /** Waits until both read models applied every event of the story published so far. */
    void awaitApplied(TokenSetStory story) {
        awaitApplied(story.tokenSetId(), story.lastSequenceNumber());
    }

    /** Waits until both read models applied the token set's events up to the given sequence number. */
    void awaitApplied(dev.tokenbroker.core.api.TokenSetId tokenSetId, long lastSequenceNumber) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Long version = jdbc().query("SELECT version FROM token_set_view WHERE token_set_id = ?",
                    rs -> rs.next() ? rs.getLong(1) : null, tokenSetId.value());
            Long history = jdbc().queryForObject("SELECT count(*) FROM token_set_history WHERE token_set_id = ?",
                    Long.class, tokenSetId.value());
            return version != null && version == lastSequenceNumber && history == lastSequenceNumber + 1;
        });
    }

    /** Every row of a table as PostgreSQL's text form (bytea as hex), in a stable order. */
    List<String> dump(String table, String orderBy) {
        return jdbc().queryForList("SELECT t::text FROM " + table + " t ORDER BY " + orderBy, String.class);
    }

    @Override
    public void close() {
        context.close();
    }
}
