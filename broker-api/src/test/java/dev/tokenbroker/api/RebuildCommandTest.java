package dev.tokenbroker.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbroker.api.refresh.RefreshSchedulerLifecycle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar token-broker.jar rebuild}: the command path itself, against a stopped broker's embedded data
 * directory — no web server, no refresh scheduler, a progress bar, exit 0 once every read model caught up.
 */
class RebuildCommandTest {

    @TempDir
    Path dataDirectory;

    @Test
    void rebuildsTheReadModelsOfAStoppedBrokerWithAProgressBarAndExits() {
        String data = "--broker.embedded-postgres.data-directory=" + dataDirectory;
        try (ConfigurableApplicationContext broker = new SpringApplicationBuilder(TokenBrokerApplication.class)
                .properties("server.port=0").run(data)) {
            EventStore events = broker.getBean(EventStore.class);
            for (int i = 0; i < 25; i++) {
                events.publish(GenericEventMessage.asEventMessage("before-the-rebuild-" + i));
            }
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> seen = new ArrayList<>();
        int exit = RebuildCommand.run(new String[] {data}, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                context -> {
                    seen.add("web=" + (context instanceof WebServerApplicationContext));
                    seen.add("scheduler=" + context.getBeanNamesForType(RefreshSchedulerLifecycle.class).length);
                });

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(seen).containsExactly("web=false", "scheduler=0");
        assertThat(output).contains("] 100% ").containsPattern("Read models rebuilt: (2[5-9]|[3-9]\\d|\\d{3,}) events\\.");
    }
}
