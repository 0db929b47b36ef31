package dev.tokenbroker.projections;

import dev.tokenbroker.projections.tokenset.TokenSetViewWriteThrough;
import org.axonframework.config.Configurer;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;

/**
 * Registers one {@link PooledStreamingEventProcessor} per read model, reading the event store and
 * keeping its tokens in the configuration's token store (the {@code JdbcTokenStore}), told of new events
 * by a {@link PrefetchingMessageSource} instead of polling for them.
 *
 * <p>Plus one subscribing processor, {@link TokenSetViewWriteThrough}, which applies the token-set view's
 * events in the transaction that appends them.
 *
 * <p>Plain Axon configuration, so the Spring application (as a {@link ConfigurerModule} bean) and
 * tests on a {@code DefaultConfigurer} configure the processors the same way. Segments let several
 * broker instances share the work through token claims; a replay runs per segment in parallel.
 */
public final class ProjectionProcessors implements ConfigurerModule {

    /** Enough to spread over a few instances; more only costs token rows and claim traffic. */
    static final int INITIAL_SEGMENT_COUNT = 4;

    /** Events per transaction: fewer commits on a replay, small enough to keep claims fresh. */
    static final int BATCH_SIZE = 100;

    @Override
    public void configureModule(Configurer configurer) {
        configurer.eventProcessing(processing -> {
            ReadModelRebuild.PROCESSING_GROUPS.forEach(group ->
                    processing.registerPooledStreamingEventProcessor(group,
                            axon -> new PrefetchingMessageSource(axon.eventStore(), group),
                            (axon, builder) -> builder
                                    .initialSegmentCount(INITIAL_SEGMENT_COUNT)
                                    .batchSize(BATCH_SIZE)));
            // In the command's transaction: read-your-writes for token_set_view (see TokenSetViewWriteThrough).
            processing.registerSubscribingEventProcessor(TokenSetViewWriteThrough.PROCESSING_GROUP);
        });
    }
}
