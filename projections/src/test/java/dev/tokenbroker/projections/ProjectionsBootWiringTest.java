package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.testsupport.WithTestInfrastructure;

/**
 * {@link ProjectionsConfiguration} imported into a Spring Boot application with Axon's starter, as
 * broker-api does: the starter registers the projection beans and applies {@link ProjectionProcessors}.
 */
@SpringBootTest(classes = ProjectionsBootWiringTest.Application.class, properties = {
        "axon.axonserver.enabled=false",
        "axon.serializer.general=jackson",
        "axon.serializer.events=jackson",
        "axon.serializer.messages=jackson"})
@WithTestInfrastructure
class ProjectionsBootWiringTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(ProjectionsConfiguration.class)
    static class Application {

        @Bean
        InMemoryTokenCipher tokenCipher() {
            return new InMemoryTokenCipher();
        }
    }

    @Autowired
    private Configuration axon;

    @Autowired
    private TokenSetQueries queries;

    @Autowired
    private InMemoryTokenCipher cipher;

    @Test
    void bootWiringRunsBothReadModelsOnPooledProcessorsWithTheJdbcTokenStore() {
        for (String group : ReadModelRebuild.PROCESSING_GROUPS) {
            assertThat(axon.eventProcessingConfiguration().eventProcessor(group))
                    .containsInstanceOf(PooledStreamingEventProcessor.class);
            assertThat(axon.eventProcessingConfiguration().tokenStore(group)).isInstanceOf(JdbcTokenStore.class);
        }

        Instant t0 = Instant.parse("2026-05-01T00:00:00Z");
        new TokenSetStory("boot-user", "github", cipher, axon.eventStore(), t0)
                .link("boot-access", "boot-refresh", t0.plusSeconds(3600), Set.of("repo"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(queries.currentAccessToken("boot-user", "github"))
                        .isInstanceOfSatisfying(CurrentAccessToken.Available.class, available ->
                                assertThat(available.accessToken().reveal()).isEqualTo("boot-access")));
    }
}
