package dev.tokenbroker.projections.chain;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.axonframework.config.ConfigurerModule;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tokenbroker.core.crypto.KekRing;

/**
 * The tamper-evident history as Spring beans: the chain's processor, the checkpoint signer with its
 * sinks, and the verifier. Needs the event store's {@link DataSource}, its transaction manager and the
 * {@link KekRing}; takes {@link EventChainSettings} and a {@link Clock} when the context has them.
 *
 * @see <a href="../../../../../../../../docs/tamper-evidence.md">docs/tamper-evidence.md</a>
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
public class EventChainConfiguration {

    @Bean
    public EventChainRepository eventChainRepository(DataSource dataSource, ObjectProvider<EventChainSettings> settings) {
        return new EventChainRepository(new JdbcTemplate(dataSource),
                settings.getIfAvailable(() -> EventChainSettings.DEFAULT).lateEventHorizon());
    }

    @Bean
    public EventChainer eventChainer(EventChainRepository chain) {
        return new EventChainer(chain);
    }

    @Bean
    public ConfigurerModule eventChainProcessor(ObjectProvider<EventChainSettings> settings) {
        return new EventChainProcessor(settings.getIfAvailable(() -> EventChainSettings.DEFAULT).batchSize());
    }

    @Bean
    public CheckpointRepository checkpointRepository(DataSource dataSource) {
        return new CheckpointRepository(new JdbcTemplate(dataSource));
    }

    @Bean
    public CheckpointSigningKeys checkpointSigningKeys(DataSource dataSource, PlatformTransactionManager transactions,
                                                       KekRing keks, ObjectProvider<Clock> clock) {
        return new CheckpointSigningKeys(new JdbcTemplate(dataSource), new TransactionTemplate(transactions), keks,
                clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    public EventChainSinks eventChainSinks(ObjectProvider<EventChainSettings> settings) {
        EventChainSettings s = settings.getIfAvailable(() -> EventChainSettings.DEFAULT);
        return new EventChainSinks(Optional.ofNullable(s.directory()).map(FileCheckpointSink::new));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    public CheckpointSigner checkpointSigner(EventChainRepository chain, CheckpointRepository checkpoints,
                                             CheckpointSigningKeys keys, EventChainSinks sinks,
                                             ObjectProvider<CheckpointSink> otherSinks,
                                             ObjectProvider<EventChainSettings> settings, ObjectProvider<Clock> clock) {
        List<CheckpointSink> all = new java.util.ArrayList<>(sinks.all());
        otherSinks.orderedStream().forEach(all::add);
        return new CheckpointSigner(chain, checkpoints, keys, all,
                settings.getIfAvailable(() -> EventChainSettings.DEFAULT).policy(), clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    public EventChainVerifier eventChainVerifier(EventChainRepository chain, CheckpointRepository checkpoints,
                                                 CheckpointSigningKeys keys, EventChainSinks sinks,
                                                 ObjectProvider<EventChainSettings> settings, ObjectProvider<Clock> clock) {
        return new EventChainVerifier(chain, checkpoints, () -> CheckpointVerifier.fromJwks(keys.jwks()),
                sinks.file().map(List::of).orElse(List.of()),
                settings.getIfAvailable(() -> EventChainSettings.DEFAULT).policy(), clock.getIfAvailable(Clock::systemUTC));
    }

    /** The built-in sinks (the file directory), apart from {@link CheckpointSink} beans such as a Kafka topic. */
    public record EventChainSinks(Optional<FileCheckpointSink> file) {
        public List<CheckpointSink> all() {
            return file.<List<CheckpointSink>>map(List::of).orElse(List.of());
        }
    }
}
