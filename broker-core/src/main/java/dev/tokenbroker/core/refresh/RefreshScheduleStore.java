package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The scheduler's side of {@code refresh_schedule}: claiming due rows. Instances share the work without a leader:
 * each claims a batch with {@code FOR UPDATE SKIP LOCKED} (concurrent claimers skip each other's rows instead of
 * waiting) and marks it claimed until the lease duration has passed, so a crashed instance's claims return to the pool.
 */
public final class RefreshScheduleStore {

    private final JdbcTemplate jdbc;

    public RefreshScheduleStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** One claimed row: the token set and the due time it had. */
    public record DueRefresh(TokenSetId tokenSetId, String connectorId, Instant dueAt) {
    }

    public List<DueRefresh> claimDue(String owner, int limit, Duration claimDuration) {
        return jdbc.query("""
                UPDATE refresh_schedule AS s SET claimed_by = ?, claimed_until = now() + make_interval(secs => ?)
                WHERE s.token_set_id IN (
                    SELECT token_set_id FROM refresh_schedule
                    WHERE due_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
                    ORDER BY due_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED)
                RETURNING s.token_set_id, s.connector_id, s.due_at
                """,
                (row, i) -> new DueRefresh(new TokenSetId(row.getObject(1, UUID.class)), row.getString(2),
                        row.getTimestamp(3).toInstant()),
                owner, claimDuration.toMillis() / 1000.0, limit);
    }

    public Map<TokenSetStatus, Long> countByStatus() {
        Map<TokenSetStatus, Long> counts = new EnumMap<>(TokenSetStatus.class);
        jdbc.query("SELECT status, count(*) FROM refresh_schedule GROUP BY status",
                row -> {
                    counts.put(TokenSetStatus.valueOf(row.getString(1)), row.getLong(2));
                });
        return counts;
    }
}
