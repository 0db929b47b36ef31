package dev.tokenbroker.projections;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.axonframework.config.Configuration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.testsupport.TestDatabase;
import dev.tokenbroker.testsupport.TestInfrastructure;

/** A fresh migrated database, the projections' Spring configuration and a running Axon setup on it. */
final class ProjectionsHarness implements AutoCloseable {

    private final AnnotationConfigApplicationContext context;

    private ProjectionsHarness(AnnotationConfigApplicationContext context) {
        this.context = context;
    }

    static ProjectionsHarness start(String hint) {
        TestDatabase database = TestInfrastructure.postgres().createDatabase(hint).migrate();
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean(TestDatabase.class, () -> database);
        context.register(AxonTestConfiguration.class, ProjectionsConfiguration.class);
        context.refresh();
        return new ProjectionsHarness(context);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    JdbcTemplate jdbc() {
        return bean(JdbcTemplate.class);
    }

    InMemoryTokenCipher cipher() {
        return bean(InMemoryTokenCipher.class);
    }

    EventStore eventStore() {
        return bean(Configuration.class).eventStore();
    }

    TokenSetStory story(String userId, String connectorId, Instant start) {
        return new TokenSetStory(userId, connectorId, cipher(), eventStore(), start);
    }

    /** Waits until both read models applied every event of the story published so far. */
    void awaitApplied(TokenSetStory story) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Long version = jdbc().query("SELECT version FROM token_set_view WHERE token_set_id = ?",
                    rs -> rs.next() ? rs.getLong(1) : null, story.tokenSetId().value());
            Long history = jdbc().queryForObject("SELECT count(*) FROM token_set_history WHERE token_set_id = ?",
                    Long.class, story.tokenSetId().value());
            return version != null && version == story.lastSequenceNumber()
                    && history == story.lastSequenceNumber() + 1;
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
