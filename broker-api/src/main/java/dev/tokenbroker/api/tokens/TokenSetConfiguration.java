package dev.tokenbroker.api.tokens;

import dev.tokenbroker.api.database.PeriodicCleanup;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.refresh.RefreshCoordinator;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import java.time.Clock;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The token API's collaborators: recording hand-outs, revoking and erasing, refreshing on demand.
 * The aggregate, its {@link TokenCipher} and the read models are wired in
 * {@code dev.tokenbroker.api.tokenset}.
 */
@Configuration(proxyBeanMethods = false)
class TokenSetConfiguration {

    @Bean
    HandOutRecorder handOutRecorder(JdbcTemplate jdbc, CommandGateway commands, Clock clock) {
        return new HandOutRecorder(jdbc, commands, clock);
    }

    @Bean
    HandOutPruning handOutPruning(JdbcTemplate jdbc) {
        return new HandOutPruning(jdbc);
    }

    @Bean
    PeriodicCleanup handOutPruningSchedule(HandOutPruning pruning) {
        return new PeriodicCleanup("hand-out-pruning", HandOutPruning.INTERVAL, pruning::pruneAndLog);
    }

    @Bean
    AccessTokenRetrieval accessTokenRetrieval(TokenSetQueries queries, OnDemandRefresh onDemandRefresh,
                                              HandOutRecorder handOuts, Clock clock) {
        return new AccessTokenRetrieval(queries, onDemandRefresh, handOuts, clock);
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
}
