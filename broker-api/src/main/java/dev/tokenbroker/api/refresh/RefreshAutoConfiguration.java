package dev.tokenbroker.api.refresh;

import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.refresh.RefreshCoordinator;
import dev.tokenbroker.core.refresh.RefreshLeaseStore;
import dev.tokenbroker.core.refresh.RefreshMetrics;
import dev.tokenbroker.core.refresh.RefreshScheduleProjection;
import dev.tokenbroker.core.refresh.RefreshScheduleStore;
import dev.tokenbroker.core.refresh.RefreshScheduler;
import dev.tokenbroker.core.refresh.RefreshSettings;
import dev.tokenbroker.core.refresh.RefreshTiming;
import dev.tokenbroker.core.refresh.TokenSetRefreshStateReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;
import javax.sql.DataSource;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Refresh coordination in the application: the {@link RefreshCoordinator} (for the token API's on-demand path),
 * the refresh-schedule projection on its own pooled streaming processor, and the {@link RefreshScheduler} as a
 * lifecycle bean.
 *
 * <p>An auto-configuration, so it runs after the application's own configuration and can wait for the domain's
 * beans: it is active once a {@link TokenCipher} and a {@link ConnectorRegistry} exist.
 */
@AutoConfiguration(afterName = {
        "org.axonframework.springboot.autoconfig.AxonAutoConfiguration",
        "org.axonframework.springboot.autoconfig.JdbcAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnBean({TokenCipher.class, ConnectorRegistry.class, EventStore.class, CommandGateway.class, DataSource.class})
@EnableConfigurationProperties(RefreshProperties.class)
public class RefreshAutoConfiguration {

    @Bean
    RefreshSettings refreshSettings(RefreshProperties properties) {
        return properties.toSettings();
    }

    /** Names this instance in lease and claim owners and thread names (host plus a random suffix: restarts are distinct). */
    @Bean
    RefreshInstanceId refreshInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "broker";
        }
        return new RefreshInstanceId(host + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Bean
    RefreshMetrics refreshMetrics(ObjectProvider<MeterRegistry> registry) {
        return new RefreshMetrics(registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    RefreshLeaseStore refreshLeaseStore(DataSource dataSource) {
        return new RefreshLeaseStore(dataSource);
    }

    @Bean(destroyMethod = "close")
    RefreshCoordinator refreshCoordinator(EventStore eventStore, RefreshLeaseStore leases, CommandGateway commands,
                                          ConnectorRegistry connectors, TokenCipher cipher, RefreshSettings settings,
                                          RefreshMetrics metrics, ObjectProvider<Clock> clock, RefreshInstanceId instanceId) {
        return new RefreshCoordinator(new TokenSetRefreshStateReader(eventStore), leases, commands, connectors, cipher, settings,
                metrics, clock.getIfAvailable(Clock::systemUTC), instanceId.value());
    }

    /** Picked up by Axon as an event handler bean (processing group {@value RefreshScheduleProjection#PROCESSING_GROUP}). */
    @Bean
    RefreshScheduleProjection refreshScheduleProjection(DataSource dataSource, RefreshSettings settings) {
        return new RefreshScheduleProjection(dataSource, new RefreshTiming(settings));
    }

    @Bean
    ConfigurerModule refreshScheduleProcessor() {
        return configurer -> configurer.eventProcessing()
                .registerPooledStreamingEventProcessor(RefreshScheduleProjection.PROCESSING_GROUP,
                        org.axonframework.config.Configuration::eventStore,
                        (config, builder) -> builder.batchSize(RefreshScheduleProjection.BATCH_SIZE));
    }

    @Bean
    RefreshScheduleStore refreshScheduleStore(DataSource dataSource) {
        return new RefreshScheduleStore(dataSource);
    }

    @Bean
    @ConditionalOnProperty(name = "broker.refresh.scheduler-enabled", havingValue = "true", matchIfMissing = true)
    RefreshSchedulerLifecycle refreshSchedulerLifecycle(RefreshScheduleStore schedule, RefreshCoordinator coordinator,
                                                        RefreshSettings settings, RefreshMetrics metrics,
                                                        ObjectProvider<Clock> clock, RefreshInstanceId instanceId) {
        return new RefreshSchedulerLifecycle(() -> new RefreshScheduler(schedule, coordinator, settings, metrics,
                clock.getIfAvailable(Clock::systemUTC), instanceId.value()));
    }
}
