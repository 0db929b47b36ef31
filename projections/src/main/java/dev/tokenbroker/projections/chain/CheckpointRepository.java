package dev.tokenbroker.projections.chain;

import java.sql.Timestamp;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;

/** The {@code event_chain_checkpoint} table: the signed checkpoints, in the database. */
public final class CheckpointRepository {

    private final JdbcTemplate jdbc;

    public CheckpointRepository(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    /** Stores the checkpoint unless one for its chain index exists (another instance signed it first). */
    public boolean insert(Checkpoint c) {
        return jdbc.update("INSERT INTO event_chain_checkpoint (chain_index, global_index, head, signed_at, jws)"
                        + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chain_index) DO NOTHING",
                c.chainIndex(), c.position(), c.head(), Timestamp.from(c.signedAt()), c.jws()) == 1;
    }

    public Optional<Long> latestChainIndex() {
        return Optional.ofNullable(jdbc.queryForObject("SELECT max(chain_index) FROM event_chain_checkpoint", Long.class));
    }

    /** The JWS of every stored checkpoint with a chain index above {@code chainIndex}, in chain order. */
    public List<String> jwsAfter(long chainIndex) {
        return jdbc.queryForList("SELECT jws FROM event_chain_checkpoint WHERE chain_index > ? ORDER BY chain_index",
                String.class, chainIndex);
    }
}
