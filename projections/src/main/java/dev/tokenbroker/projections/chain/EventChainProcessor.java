package dev.tokenbroker.projections.chain;

import dev.tokenbroker.projections.PrefetchingMessageSource;
import org.axonframework.config.Configurer;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;

/**
 * Registers {@value EventChainer#PROCESSING_GROUP} as a {@link PooledStreamingEventProcessor} with ONE
 * segment: the chain is one global order, so exactly one thread on one instance extends it at a time
 * (the others wait for the claim). Errors propagate: a skipped event would be a hole in the chain.
 */
public final class EventChainProcessor implements ConfigurerModule {

    private final int batchSize;

    public EventChainProcessor(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        this.batchSize = batchSize;
    }

    @Override
    public void configureModule(Configurer configurer) {
        configurer.eventProcessing(processing -> processing
                .registerPooledStreamingEventProcessor(EventChainer.PROCESSING_GROUP,
                        axon -> new PrefetchingMessageSource(axon.eventStore(), EventChainer.PROCESSING_GROUP),
                        (axon, builder) -> builder.initialSegmentCount(1).maxClaimedSegments(1).batchSize(batchSize))
                .registerListenerInvocationErrorHandler(EventChainer.PROCESSING_GROUP,
                        axon -> PropagatingErrorHandler.instance()));
    }
}
