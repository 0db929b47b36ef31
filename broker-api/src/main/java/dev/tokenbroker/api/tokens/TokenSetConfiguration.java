package dev.tokenbroker.api.tokens;

import com.google.crypto.tink.Aead;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.command.TokenSet;
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.TinkTokenCipher;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.refresh.RefreshCoordinator;
import dev.tokenbroker.projections.ProjectionsConfiguration;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import java.time.Clock;
import javax.sql.DataSource;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The domain in the application: the event-sourced {@link TokenSet} aggregate on Axon's event
 * store, the envelope encryption its command handlers receive as the {@link TokenCipher}
 * parameter (resolved from this context), the read models, and the token API's collaborators.
 */
@Configuration(proxyBeanMethods = false)
@Import(ProjectionsConfiguration.class)
class TokenSetConfiguration {

    @Bean
    ConfigurerModule tokenSetAggregate() {
        return configurer -> configurer.configureAggregate(TokenSet.class);
    }

    @Bean
    DataKeyStore dataKeyStore(DataSource dataSource, KeyEncryptionKey keyEncryptionKey) {
        return new DataKeyStore(dataSource, keyEncryptionKey);
    }

    @Bean
    DataKeyCache dataKeyCache() {
        return DataKeyCache.withDefaults();
    }

    @Bean
    TokenCipher tokenCipher(DataKeyStore dataKeys, DataKeyCache cache) {
        return new TinkTokenCipher(dataKeys, cache);
    }

    @Bean
    HandOutRecorder handOutRecorder(JdbcTemplate jdbc, CommandGateway commands, Clock clock) {
        return new HandOutRecorder(jdbc, commands, clock);
    }

    @Bean
    TokenSetRevocation tokenSetRevocation(TokenSetQueries queries, TokenCipher cipher, ConnectorRegistry connectors,
                                          CommandGateway commands) {
        return new TokenSetRevocation(queries, cipher, connectors, commands);
    }

    @Bean
    OnDemandRefresh onDemandRefresh(RefreshCoordinator coordinator, TokenCipher cipher, Clock clock) {
        return new CoordinatedOnDemandRefresh(coordinator, cipher, clock);
    }

    /** The KEK as a plain Tink AEAD, for the broker's other wrapped secrets (API signing keys, connect sessions). */
    @Bean
    Aead keyEncryptionKeyAead(DataKeyStore dataKeys) {
        return new CurrentKekAead(dataKeys);
    }
}
