package dev.tokenbroker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The one-box default: no database configured, so the broker runs its own PostgreSQL with its
 * files in the data directory, and what it wrote is still there after a restart.
 */
class EmbeddedDefaultTest {

    @TempDir
    Path dataDirectory;

    @Test
    void startsOnEmbeddedPostgresAndKeepsEventsAcrossARestart() {
        String marker = "written-before-restart-" + UUID.randomUUID();

        try (ConfigurableApplicationContext first = start()) {
            assertThat(first.getEnvironment().containsProperty("spring.datasource.url")).isFalse();
            first.getBean(EventStore.class).publish(GenericEventMessage.asEventMessage(marker));
        }
        assertThat(dataDirectory.resolve("postgresql.conf")).exists();

        try (ConfigurableApplicationContext second = start()) {
            // The storage engine reads what is stored and ends; the event store's stream would tail forever.
            List<Object> payloads = second.getBean(EventStorageEngine.class).readEvents(null, false)
                    .map(EventMessage::getPayload).map(Object.class::cast).toList();
            assertThat(payloads).contains(marker);
        }
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(TokenBrokerApplication.class)
                .properties("broker.embedded-postgres.data-directory=" + dataDirectory, "server.port=0")
                .run();
    }
}
