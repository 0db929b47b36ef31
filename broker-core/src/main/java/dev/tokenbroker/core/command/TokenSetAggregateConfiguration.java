package dev.tokenbroker.core.command;

import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.eventsourcing.AggregateSnapshotter;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.GenericAggregateFactory;
import org.axonframework.eventsourcing.snapshotting.RevisionSnapshotFilter;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

/**
 * How {@link TokenSet} is configured in Axon, in one place for the application and every test stack:
 * event sourced, with a snapshot every {@code snapshotThreshold} events so that loading it (every command,
 * and the refresh coordinator's re-read) reads a snapshot plus at most that many events, whatever the
 * stream's length (DESIGN invariant 8).
 *
 * <p>The snapshot is taken right after the command that crossed the threshold committed, in the committing
 * thread (a direct executor): a few milliseconds once per {@code snapshotThreshold} events, and a test sees
 * it deterministically. Snapshots of another {@link TokenSet#SNAPSHOT_REVISION} are skipped.
 */
public final class TokenSetAggregateConfiguration {

    /**
     * Events between snapshots by default. One snapshot row (a few hundred bytes, replaced each time) per 25
     * events keeps a load at one snapshot plus at most 24 small events.
     */
    public static final int DEFAULT_SNAPSHOT_THRESHOLD = 25;

    private TokenSetAggregateConfiguration() {
    }

    /**
     * The aggregate's configuration for {@code Configurer.configureAggregate}.
     *
     * @param snapshotThreshold events after which a snapshot is taken; at least 2
     */
    public static AggregateConfigurer<TokenSet> withSnapshotsEvery(int snapshotThreshold) {
        if (snapshotThreshold < 2) {
            throw new IllegalArgumentException("The snapshot threshold must be at least 2 events, was " + snapshotThreshold);
        }
        return AggregateConfigurer.defaultConfiguration(TokenSet.class)
                .configureSnapshotTrigger(axon -> new EventCountSnapshotTriggerDefinition(snapshotter(axon), snapshotThreshold))
                .configureSnapshotFilter(axon -> RevisionSnapshotFilter.builder()
                        .type(TokenSet.class).revision(TokenSet.SNAPSHOT_REVISION).build());
    }

    private static AggregateSnapshotter snapshotter(Configuration axon) {
        return AggregateSnapshotter.builder()
                .eventStore(axon.eventStore())
                // the model with the configuration's resolvers: the command handlers take the TokenCipher resource
                .aggregateFactories(new GenericAggregateFactory<>(AnnotatedAggregateMetaModelFactory.inspectAggregate(
                        TokenSet.class, axon.parameterResolverFactory(), axon.handlerDefinition(TokenSet.class))))
                .transactionManager(axon.getComponent(TransactionManager.class, () -> NoTransactionManager.INSTANCE))
                .parameterResolverFactory(axon.parameterResolverFactory())
                .handlerDefinition(axon.handlerDefinition(TokenSet.class))
                .build();
    }
}
