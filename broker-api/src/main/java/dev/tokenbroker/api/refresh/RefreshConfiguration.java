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
import dev.tokenbroker.projections.PrefetchingMessageSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Refresh coordination in the application, in one place: the {@link RefreshCoordinator} (for the token API's
 * on-demand path), the refresh-schedule table's projection on its own pooled streaming processor, the schedule's
 * claim query ({@link RefreshScheduleStore}) and the {@link RefreshScheduler} as a lifecycle bean. The code itself
 * lives in {@code dev.tokenbroker.core.refresh}.
 *
 * <p>A plain configuration found by the application's component scan. It needs the domain's beans and says so at
 * start-up: when one is missing, the context fails with the bean's type and where it comes from, instead of
 * quietly running without refreshes.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RefreshProperties.class)
public class RefreshConfiguration {

    static final int REFRESH_SCHEDULE_SEGMENTS = 4;

    /** The beans refreshing needs from elsewhere, with where they normally come from. */
    private static final Map<Class<?>, String> REQUIRED = requiredBeans();

    RefreshConfiguration(ListableBeanFactory beans) {
        List<String> missing = new ArrayList<>();
        REQUIRED.forEach((type, fix) -> {
            if (beans.getBeanNamesForType(type, true, false).length == 0) {
                missing.add("no " + type.getName() + " bean: " + fix);
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Refresh coordination (" + RefreshConfiguration.class.getSimpleName()
                    + ") cannot start: " + String.join("; ", missing));
        }
    }

    private static Map<Class<?>, String> requiredBeans() {
        Map<Class<?>, String> required = new LinkedHashMap<>();
        required.put(DataSource.class, "configure spring.datasource.url or leave it unset for the embedded database "
                + "(EmbeddedPostgresConfiguration)");
        required.put(EventStore.class, "keep Axon's Spring Boot auto-configuration (axon-spring-boot-starter) with the JDBC "
                + "event store enabled");
        required.put(CommandGateway.class, "keep Axon's Spring Boot auto-configuration (axon-spring-boot-starter)");
        required.put(ConnectorRegistry.class, "import ConnectorConfiguration (dev.tokenbroker.api.connectors)");
        required.put(TokenCipher.class, "import TokenSetConfiguration (dev.tokenbroker.api.tokens)");
        return required;
    }

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
                        config -> new PrefetchingMessageSource(config.eventStore(), RefreshScheduleProjection.PROCESSING_GROUP),
                        // 4 segments like the read models (Axon's default is 16): enough to spread over a few
                        // instances; each segment is a token claim extended every 5 s. A store made with 16 keeps them.
                        (config, builder) -> builder.initialSegmentCount(REFRESH_SCHEDULE_SEGMENTS)
                                .batchSize(RefreshScheduleProjection.BATCH_SIZE));
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
