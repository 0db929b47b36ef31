package dev.tokenbroker.api.tokens;

import java.time.Duration;
import dev.tokenbroker.api.database.PeriodicCleanup;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Deletes the {@code token_hand_out} rows no hand-out can need again: those of an access-token version a newer one
 * has replaced, and all of a revoked or erased token set's (a relink starts a new version). The table only keeps
 * {@link HandOutRecorder} from recording one version's hand-out to a client twice; without this it grows by a row
 * per refresh and client, forever (docs/event-store-growth.md, retention item 6). A deleted row that is needed after
 * all costs one insert and one command the aggregate ignores, which dedupes on its own.
 *
 * <p>A row whose token set has no view row (a rebuild not there yet) is kept. Safe on every instance: plain
 * conditional DELETEs, in batches so that no statement locks many rows or runs long; run every {@link #INTERVAL} by a
 * {@link PeriodicCleanup}.
 */
final class HandOutPruning {

    private static final Logger log = LoggerFactory.getLogger(HandOutPruning.class);
    static final Duration INTERVAL = Duration.ofMinutes(10);
    static final int BATCH = 5_000;

    private static final String DELETE_BATCH = """
            delete from token_hand_out where ctid in (
                select h.ctid from token_hand_out h join token_set_view v on v.token_set_id = h.token_set_id
                where h.token_version < v.token_version or v.status in ('REVOKED', 'ERASED')
                limit ?)""";

    private final JdbcTemplate jdbc;

    HandOutPruning(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    /** Deletes every row no longer needed, a batch at a time; answers how many. */
    long prune() {
        long deleted = 0;
        int batch;
        do {
            batch = jdbc.update(DELETE_BATCH, BATCH);
            deleted += batch;
        } while (batch == BATCH);
        return deleted;
    }

    /** {@link #prune}, with a log line when it deleted anything: the task a {@link PeriodicCleanup} runs. */
    void pruneAndLog() {
        long deleted = prune();
        if (deleted > 0) {
            log.info("Deleted {} hand-out records of superseded, revoked or erased access tokens", deleted);
        }
    }
}
