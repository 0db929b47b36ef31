package dev.tokenbroker.projections.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;

/**
 * Appends every stored event to the hash chain in the order the {@value #PROCESSING_GROUP} processor
 * delivers them (see {@link EventChainProcessor}: one segment, so one thread on one instance at a time).
 *
 * <p>The handler only notes each message's position (from its tracking token: the payload is never
 * deserialized); before the processor's batch commits, the stored rows of the batch are read raw and
 * chained, in the transaction that also moves the tracking token. A claim stolen mid-batch cannot fork
 * the chain: the chain index and the position are unique, so the second writer's batch rolls back.
 *
 * <p>The chain is never reset ({@link DisallowReplay}): it is the record, not a read model.
 */
@ProcessingGroup(EventChainer.PROCESSING_GROUP)
@DisallowReplay
public final class EventChainer {

    public static final String PROCESSING_GROUP = "event-chain";

    private static final String BATCH_RESOURCE = EventChainer.class.getName() + ".batch";

    private final EventChainRepository chain;

    public EventChainer(EventChainRepository chain) {
        this.chain = Objects.requireNonNull(chain, "chain");
    }

    @EventHandler(payloadType = Object.class)
    void on(TrackingToken token) {
        long position = token.position().orElseThrow(
                () -> new IllegalStateException("the event-chain processor needs tokens with a position"));
        if (!CurrentUnitOfWork.isStarted()) {
            chain.append(List.of(position));
            return;
        }
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        List<Long> batch = root.getOrComputeResource(BATCH_RESOURCE, key -> {
            List<Long> positions = new ArrayList<>();
            root.onPrepareCommit(unitOfWork -> chain.append(positions));
            return positions;
        });
        batch.add(position);
    }
}
