package dev.tokenbroker.projections.tokenset;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.projections.tokenset.TokenSetViewRepository.ApplyWhen;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Read-your-writes for {@code token_set_view}: applies each {@code TokenSet} event to its row in the
 * transaction that appends the event (a subscribing processor runs while Axon's unit of work prepares its
 * commit, after the event store wrote the events and before the transaction commits). Once a command has
 * completed — the connect callback, an unlink, an erase, a refresh — the row shows it, to every instance
 * reading the shared database; nobody waits for the streaming processor.
 *
 * <p>Why not only a synchronous projection: the streaming processor ({@link TokenSetViewProjection}) stays
 * the one that can rebuild the view from the first event and that catches up whatever the write-through did
 * not apply. The two never disagree: the write-through applies an event only on top of its direct
 * predecessor ({@link ApplyWhen#NEXT}), the processor only on an older row ({@link ApplyWhen#NEWER}), and the
 * handlers write the same columns from the same event. While a rebuild replays, rows it has not reached yet
 * are skipped here and filled in by the replay.
 *
 * <p>A failure here must never fail the command (a refresh result would then not be persisted): the writes
 * run under a savepoint, a failed one is rolled back to it and logged, and the processor applies the event
 * shortly after.
 */
@ProcessingGroup(TokenSetViewWriteThrough.PROCESSING_GROUP)
public final class TokenSetViewWriteThrough {

    public static final String PROCESSING_GROUP = "token-set-view-write-through";

    private static final Logger log = LoggerFactory.getLogger(TokenSetViewWriteThrough.class);

    private final TokenSetViewRepository repository;
    private final DataSource dataSource;

    public TokenSetViewWriteThrough(TokenSetViewRepository repository, DataSource dataSource) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @EventHandler
    void on(TokenSetLinked event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        guarded(event, sequenceNumber, () -> repository.linked(event, sequenceNumber, asStored(occurredAt), ApplyWhen.NEXT));
    }

    @EventHandler
    void on(TokenSetRefreshed event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        guarded(event, sequenceNumber, () -> repository.refreshed(event, sequenceNumber, asStored(occurredAt), ApplyWhen.NEXT));
    }

    @EventHandler
    void on(TokenRefreshFailed event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        guarded(event, sequenceNumber, () -> repository.refreshFailed(event, sequenceNumber, asStored(occurredAt), ApplyWhen.NEXT));
    }

    @EventHandler
    void on(ReauthorizationRequired event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        guarded(event, sequenceNumber,
                () -> repository.reauthorizationRequired(event, sequenceNumber, asStored(occurredAt), ApplyWhen.NEXT));
    }

    @EventHandler
    void on(AccessTokenHandedOut event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        guarded(event, sequenceNumber, () -> repository.handedOut(event, sequenceNumber, asStored(occurredAt), ApplyWhen.NEXT));
    }

    @EventHandler
    void on(TokenSetRevoked event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        guarded(event, sequenceNumber, () -> repository.revoked(event, sequenceNumber, asStored(occurredAt), ApplyWhen.NEXT));
    }

    @EventHandler
    void on(TokenSetErased event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        guarded(event, sequenceNumber, () -> repository.erased(event, sequenceNumber, asStored(occurredAt), ApplyWhen.NEXT));
    }

    /**
     * The event's time as the event store keeps it (Axon stores milliseconds): the processor reads it back from
     * there, and both must write the same row.
     */
    private static Instant asStored(Instant occurredAt) {
        return DateTimeUtils.parseInstant(DateTimeUtils.formatInstant(occurredAt));
    }

    private void guarded(Object event, long sequenceNumber, Runnable write) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            // No surrounding transaction (a plain test stack): each statement commits on its own.
            runLogged(event, sequenceNumber, write);
            return;
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        Savepoint savepoint;
        try {
            savepoint = connection.setSavepoint();
        } catch (SQLException e) {
            log.warn("Could not set a savepoint for the token-set view write-through ({}); the processor applies {}",
                    e.getClass().getSimpleName(), event.getClass().getSimpleName());
            return;
        }
        try {
            write.run();
            connection.releaseSavepoint(savepoint);
        } catch (RuntimeException | SQLException e) {
            try {
                connection.rollback(savepoint);
            } catch (SQLException rollback) {
                // The transaction is unusable; the command fails and is retried by its caller.
                throw new IllegalStateException("Could not roll back the token-set view write-through", rollback);
            }
            logSkipped(event, sequenceNumber, e);
        }
    }

    private static void runLogged(Object event, long sequenceNumber, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            logSkipped(event, sequenceNumber, e);
        }
    }

    private static void logSkipped(Object event, long sequenceNumber, Exception e) {
        // Exception class and message only: the SQL of a failed write carries no token values, but keep it short.
        log.warn("Token-set view write-through skipped {} #{} ({}); the token-set-view processor applies it",
                event.getClass().getSimpleName(), sequenceNumber, e.getClass().getSimpleName());
    }
}
