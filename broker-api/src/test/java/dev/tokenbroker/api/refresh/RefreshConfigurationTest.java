package dev.tokenbroker.api.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.refresh.ConnectorLimit;
import dev.tokenbroker.core.refresh.RefreshCoordinator;
import dev.tokenbroker.core.refresh.RefreshScheduleProjection;
import dev.tokenbroker.core.refresh.RefreshSettings;
import dev.tokenbroker.testsupport.TestInfrastructure;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class RefreshConfigurationTest {

    private static final DataSource DATABASE = TestInfrastructure.postgres().createDatabase("refresh_wiring").migrate().dataSource();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(DomainBeans.class, RefreshConfiguration.class);

    @Test
    void withTheDomainBeansThenCoordinatorProjectionAndSchedulerAreWiredWithDefaults() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(RefreshCoordinator.class)
                    .hasSingleBean(RefreshScheduleProjection.class)
                    .hasSingleBean(RefreshSchedulerLifecycle.class);
            RefreshSettings settings = context.getBean(RefreshSettings.class);
            assertThat(settings).isEqualTo(RefreshSettings.defaults());
            assertThat(context.getBean(RefreshSchedulerLifecycle.class).isRunning()).isTrue();
        });
    }

    @Test
    void brokerRefreshPropertiesAreBoundIncludingPerConnectorLimits() {
        runner.withPropertyValues("broker.refresh.lead-time=10m", "broker.refresh.jitter=90s",
                        "broker.refresh.keep-alive-interval=3d", "broker.refresh.on-demand-wait-timeout=3s",
                        "broker.refresh.connectors.github.max-concurrent-refreshes=4",
                        "broker.refresh.connectors.google.refreshes-per-second=2.5",
                        "broker.refresh.scheduler-enabled=false")
                .run(context -> {
                    RefreshSettings settings = context.getBean(RefreshSettings.class);
                    assertThat(settings.leadTime()).isEqualTo(Duration.ofMinutes(10));
                    assertThat(settings.jitter()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(settings.keepAliveInterval()).isEqualTo(Duration.ofDays(3));
                    assertThat(settings.onDemandWaitTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(settings.limitFor("github")).isEqualTo(new ConnectorLimit(4, 200));
                    assertThat(settings.limitFor("google")).isEqualTo(new ConnectorLimit(16, 2.5));
                    assertThat(settings.limitFor("other")).isEqualTo(ConnectorLimit.DEFAULT);
                    assertThat(context).doesNotHaveBean(RefreshSchedulerLifecycle.class);
                });
    }

    @Test
    void invalidSettingFailsStartUpNamingTheSettingAndTheFix() {
        runner.withPropertyValues("broker.refresh.lead-time=1m", "broker.refresh.jitter=2m").run(context ->
                assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("broker.refresh.jitter")
                        .hasMessageContaining("make it shorter than lead-time"));
        runner.withPropertyValues("broker.refresh.connectors.github.max-concurrent-refreshes=0").run(context ->
                assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("broker.refresh.connectors.github.max-concurrent-refreshes"));
    }

    @Test
    void withoutTheDomainStartUpFailsNamingTheMissingBeansAndTheFix() {
        new ApplicationContextRunner().withUserConfiguration(RefreshConfiguration.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context).getFailure().rootCause()
                    .hasMessageContaining("no " + TokenCipher.class.getName() + " bean")
                    .hasMessageContaining("import TokenSetConfiguration")
                    .hasMessageContaining("no " + ConnectorRegistry.class.getName() + " bean")
                    .hasMessageContaining("no " + EventStore.class.getName() + " bean")
                    .hasMessageContaining("no " + DataSource.class.getName() + " bean");
        });
    }

    /** The beans the application's domain configuration provides. */
    @Configuration(proxyBeanMethods = false)
    static class DomainBeans {

        @Bean
        DataSource dataSource() {
            return DATABASE;
        }

        @Bean
        EventStore eventStore() {
            return EmbeddedEventStore.builder().storageEngine(new InMemoryEventStorageEngine()).build();
        }

        @Bean
        CommandGateway commandGateway() {
            return DefaultCommandGateway.builder().commandBus(SimpleCommandBus.builder().build()).build();
        }

        @Bean
        ConnectorRegistry connectorRegistry() {
            return ConnectorRegistry.of(List.of());
        }

        @Bean
        TokenCipher tokenCipher() {
            // never used here: these tests only wire
            return new TokenCipher() {
                @Override
                public SealedToken seal(TokenSetId tokenSetId, TokenPurpose purpose, int keyVersion, TokenValue token) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public TokenValue open(TokenSetId tokenSetId, SealedToken sealed) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int destroyDataKeys(TokenSetId tokenSetId, int throughKeyVersion) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }
}
