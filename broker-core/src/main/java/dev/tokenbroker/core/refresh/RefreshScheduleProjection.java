package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetEvent;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.AllowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Maintains {@code refresh_schedule}: per token set the timing facts and the due time ({@link RefreshTiming}),
 * from TokenSet events alone. Run it on a pooled streaming processor named {@value #PROCESSING_GROUP}.
 *
 * <p>Idempotent: every row remembers the aggregate sequence number it reflects and older events are skipped, so
 * redelivery and replays are safe; a reset empties the table and a replay rebuilds the same rows (the jitter is
 * derived from the events, not random). Claims are cleared whenever a row changes: new facts, new due time.
 */
@ProcessingGroup(RefreshScheduleProjection.PROCESSING_GROUP)
@AllowReplay
public final class RefreshScheduleProjection {

    public static final String PROCESSING_GROUP = "refresh-schedule";
    /** Events per transaction for the processor: a burst of refreshes should not cost one commit per event. */
    public static final int BATCH_SIZE = 100;

    private final JdbcTemplate jdbc;
    private final RefreshTiming timing;

    public RefreshScheduleProjection(DataSource dataSource, RefreshTiming timing) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.timing = Objects.requireNonNull(timing, "timing");
    }

    // Every TokenSet event; TokenSetRefreshState.evolve decides which ones matter.
    @EventHandler
    void on(TokenSetEvent event, @SequenceNumber Long sequence, @org.axonframework.eventhandling.Timestamp Instant eventTime) {
        if (sequence == null) {
            return;
        }
        TokenSetId tokenSetId = event.tokenSetId();
        List<Row> rows = jdbc.query("SELECT * FROM refresh_schedule WHERE token_set_id = ?", RefreshScheduleProjection::row,
                tokenSetId.value());
        Row current = rows.isEmpty() ? null : rows.get(0);
        if (current != null && current.lastSequence >= sequence) {
            return;
        }
        TokenSetRefreshState before = current == null ? null : current.state;
        TokenSetRefreshState after = TokenSetRefreshState.evolve(before, event, eventTime);
        if (after == null || after == before) {
            return;
        }
        Instant due = timing.nextDueAt(after).orElse(null);
        jdbc.update("""
                INSERT INTO refresh_schedule AS s (token_set_id, connector_id, status, has_refresh_token, access_token_expires_at,
                    refresh_token_expires_at, token_version, refresh_token_version, last_success_at, first_failure_at,
                    consecutive_failures, retry_at, due_at, claimed_by, claimed_until, last_sequence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)
                ON CONFLICT (token_set_id) DO UPDATE SET connector_id = excluded.connector_id, status = excluded.status,
                    has_refresh_token = excluded.has_refresh_token, access_token_expires_at = excluded.access_token_expires_at,
                    refresh_token_expires_at = excluded.refresh_token_expires_at, token_version = excluded.token_version,
                    refresh_token_version = excluded.refresh_token_version, last_success_at = excluded.last_success_at,
                    first_failure_at = excluded.first_failure_at, consecutive_failures = excluded.consecutive_failures,
                    retry_at = excluded.retry_at, due_at = excluded.due_at, claimed_by = NULL, claimed_until = NULL,
                    last_sequence = excluded.last_sequence
                WHERE s.last_sequence < excluded.last_sequence
                """,
                tokenSetId.value(), after.connectorId(), after.status().name(), after.hasRefreshToken(),
                ts(after.accessTokenExpiresAt()), ts(after.refreshTokenExpiresAt()), after.tokenVersion(),
                after.refreshTokenVersion(), ts(after.lastSuccessAt()), ts(after.firstFailureAt()),
                after.consecutiveFailures(), ts(after.retryAt()), ts(due), sequence);
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM refresh_schedule");
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static Row row(ResultSet row, int i) throws SQLException {
        TokenSetRefreshState state = new TokenSetRefreshState(new TokenSetId(row.getObject("token_set_id", java.util.UUID.class)),
                row.getString("connector_id"), TokenSetStatus.valueOf(row.getString("status")), null, null,
                row.getBoolean("has_refresh_token"), instant(row, "access_token_expires_at"), instant(row, "refresh_token_expires_at"),
                Set.of(), row.getLong("token_version"), row.getLong("refresh_token_version"), instant(row, "last_success_at"),
                instant(row, "first_failure_at"), row.getInt("consecutive_failures"), instant(row, "retry_at"));
        return new Row(state, row.getLong("last_sequence"));
    }

    private record Row(TokenSetRefreshState state, long lastSequence) {
    }
}
