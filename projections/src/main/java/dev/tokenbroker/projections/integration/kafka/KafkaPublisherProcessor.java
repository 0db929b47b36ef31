package dev.tokenbroker.projections.integration.kafka;

import dev.tokenbroker.projections.PrefetchingMessageSource;
import org.axonframework.config.Configurer;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;

/**
 * Registers the {@value KafkaEventPublisher#PROCESSING_GROUP} group as a
 * {@link PooledStreamingEventProcessor} on the event store, its token in the configuration's token
 * store (the {@code JdbcTokenStore}), reading through a {@link PrefetchingMessageSource} so it learns of
 * new events when they are appended instead of every 500 ms. Errors propagate, whatever the application's default: a skipped
 * event would be an event lost for every consumer.
 */
public final class KafkaPublisherProcessor implements ConfigurerModule {

    /** Spreads the publishing over up to this many threads and instances. */
    public static final int INITIAL_SEGMENT_COUNT = 4;

    private final int batchSize;

    /** @param batchSize events sent before waiting for their acknowledgements (and committing the token) */
    public KafkaPublisherProcessor(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        this.batchSize = batchSize;
    }

    @Override
    public void configureModule(Configurer configurer) {
        configurer.eventProcessing(processing -> processing
                .registerPooledStreamingEventProcessor(KafkaEventPublisher.PROCESSING_GROUP,
                        axon -> new PrefetchingMessageSource(axon.eventStore(), KafkaEventPublisher.PROCESSING_GROUP),
                        (axon, builder) -> builder.initialSegmentCount(INITIAL_SEGMENT_COUNT).batchSize(batchSize))
                .registerSequencingPolicy(KafkaEventPublisher.PROCESSING_GROUP,
                        axon -> SequentialPerAggregatePolicy.instance())
                .registerListenerInvocationErrorHandler(KafkaEventPublisher.PROCESSING_GROUP,
                        axon -> PropagatingErrorHandler.instance()));
    }
}
