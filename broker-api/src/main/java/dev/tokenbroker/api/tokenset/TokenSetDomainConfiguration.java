package dev.tokenbroker.api.tokenset;

import dev.tokenbroker.core.command.TokenSet;
import dev.tokenbroker.core.command.TokenSetAggregateConfiguration;
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.core.crypto.TinkTokenCipher;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.projections.ProjectionsConfiguration;
import javax.sql.DataSource;
import org.axonframework.config.ConfigurerModule;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The domain in the application: the event-sourced {@link TokenSet} aggregate on Axon's event
 * store, the envelope encryption its command handlers receive as the {@link TokenCipher}
 * parameter (resolved from this context), and the read models.
 */
@Configuration(proxyBeanMethods = false)
@Import(ProjectionsConfiguration.class)
@EnableConfigurationProperties(TokenSetProperties.class)
class TokenSetDomainConfiguration {

    /** Event sourced, with a snapshot every {@code broker.token-sets.snapshot-threshold} events. */
    @Bean
    ConfigurerModule tokenSetAggregate(TokenSetProperties properties) {
        return configurer -> configurer.configureAggregate(
                TokenSetAggregateConfiguration.withSnapshotsEvery(properties.snapshotThreshold()));
    }

    @Bean
    DataKeyStore dataKeyStore(DataSource dataSource, KekRing keks) {
        return new DataKeyStore(dataSource, keks);
    }

    @Bean
    DataKeyCache dataKeyCache() {
        return DataKeyCache.withDefaults();
    }

    @Bean
    TokenCipher tokenCipher(DataKeyStore dataKeys, DataKeyCache cache) {
        return new TinkTokenCipher(dataKeys, cache);
    }
}
