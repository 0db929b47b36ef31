package dev.tokenbroker.projections;

import javax.sql.DataSource;

import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.projections.history.TokenSetHistoryProjection;
import dev.tokenbroker.projections.history.TokenSetHistoryRepository;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetViewFromEvents;
import dev.tokenbroker.projections.tokenset.TokenSetViewProjection;
import dev.tokenbroker.projections.tokenset.TokenSetViewRepository;
import dev.tokenbroker.projections.tokenset.TokenSetViewWriteThrough;

/**
 * The read models as Spring beans, for the application to import.
 *
 * <p>Needs from the context: a {@link DataSource} (the event store's: projections and tracking tokens
 * must commit in one transaction), a {@link TokenCipher}, and Axon's {@link Configuration} (from the
 * Axon Spring Boot starter, which also registers the {@code @ProcessingGroup} projection beans with
 * Axon and applies {@link ConfigurerModule} beans). The processors use the configuration's
 * {@code TokenStore}, which must be the {@code JdbcTokenStore} on the same data source.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
public class ProjectionsConfiguration {

    @Bean
    public ConfigurerModule projectionProcessors() {
        return new ProjectionProcessors();
    }

    @Bean
    public TokenSetViewRepository tokenSetViewRepository(DataSource dataSource) {
        return new TokenSetViewRepository(new JdbcTemplate(dataSource));
    }

    @Bean
    public TokenSetViewProjection tokenSetViewProjection(TokenSetViewRepository repository) {
        return new TokenSetViewProjection(repository);
    }

    @Bean
    public TokenSetViewWriteThrough tokenSetViewWriteThrough(TokenSetViewRepository repository, DataSource dataSource) {
        return new TokenSetViewWriteThrough(repository, dataSource);
    }

    @Bean
    public TokenSetQueries tokenSetQueries(TokenSetViewRepository repository, TokenCipher cipher, Configuration axon) {
        return new TokenSetQueries(repository, cipher, new TokenSetViewFromEvents(axon::eventStore));
    }

    @Bean
    public TokenSetHistoryRepository tokenSetHistoryRepository(DataSource dataSource) {
        return new TokenSetHistoryRepository(new JdbcTemplate(dataSource));
    }

    @Bean
    public TokenSetHistoryProjection tokenSetHistoryProjection(TokenSetHistoryRepository repository) {
        return new TokenSetHistoryProjection(repository);
    }

    @Bean
    public ReadModelBulkRebuild readModelBulkRebuild(Configuration axon, DataSource dataSource,
                                                     TokenSetViewRepository view, TokenSetHistoryRepository history) {
        return new ReadModelBulkRebuild(axon, dataSource, view, history);
    }

    @Bean
    public ReadModelRebuild readModelRebuild(Configuration axon, ReadModelBulkRebuild bulk) {
        return new ReadModelRebuild(axon, bulk);
    }
}
