package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Refresh leases as rows of {@code refresh_lease} (V30): one row per token set with an owner and an expiry in
 * database time, so the clocks of the instances do not matter.
 *
 * <p>Why a lease row and not an advisory lock: an advisory lock lives in a database session, so an instance
 * would have to keep one pooled connection per in-flight refresh for the whole upstream call (hundreds of
 * connections at the rates we target) and would lose the lock silently when that connection breaks. A lease row
 * needs a connection only for a few milliseconds, survives connection loss, expires on its own when its instance
 * dies, and carries the durable "refresh in doubt" marker in the same row.
 *
 * <p>Every statement is a single auto-committed statement; PostgreSQL's {@code INSERT ... ON CONFLICT DO UPDATE
 * ... WHERE} makes acquisition atomic: of any number of concurrent acquirers exactly one gets a row back.
 */
public final class RefreshLeaseStore {

    private final JdbcTemplate jdbc;

    public RefreshLeaseStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** Takes the lease if nobody holds it or the holder's lease expired. */
    public Optional<RefreshLease> tryAcquire(TokenSetId tokenSetId, String owner, Duration duration) {
        // RETURNING shows the row after the update; the in-doubt column is not updated, so it is the previous holder's.
        List<RefreshLease> acquired = jdbc.query("""
                INSERT INTO refresh_lease AS lease (token_set_id, owner, expires_at)
                VALUES (?, ?, now() + make_interval(secs => ?))
                ON CONFLICT (token_set_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE lease.expires_at < now()
                RETURNING lease.in_doubt_refresh_token_version
                """,
                (row, i) -> {
                    long version = row.getLong(1);
                    return new RefreshLease(tokenSetId, owner, row.wasNull() ? OptionalLong.empty() : OptionalLong.of(version));
                },
                tokenSetId.value(), owner, seconds(duration));
        return acquired.stream().findFirst();
    }

    /**
     * Records durably, before the upstream call, that the IdP is about to see this refresh-token version. If this
     * instance dies before it persisted the answer, the next holder finds the marker.
     *
     * @return false when the lease was lost (expired and taken): the caller must not call the IdP
     */
    public boolean markUpstreamCall(RefreshLease lease, long refreshTokenVersion, Duration duration) {
        return jdbc.update("""
                UPDATE refresh_lease SET in_doubt_refresh_token_version = ?, in_doubt_since = now(),
                       expires_at = now() + make_interval(secs => ?)
                WHERE token_set_id = ? AND owner = ? AND expires_at > now()
                """, refreshTokenVersion, seconds(duration), lease.tokenSetId().value(), lease.owner()) == 1;
    }

    /** Keeps the lease while the answer is being persisted; false when it was lost. */
    public boolean extend(RefreshLease lease, Duration duration) {
        return jdbc.update("UPDATE refresh_lease SET expires_at = now() + make_interval(secs => ?) WHERE token_set_id = ? AND owner = ?",
                seconds(duration), lease.tokenSetId().value(), lease.owner()) == 1;
    }

    /** Releases the lease and clears the in-doubt marker: the outcome is persisted. */
    public void release(RefreshLease lease) {
        jdbc.update("DELETE FROM refresh_lease WHERE token_set_id = ? AND owner = ?", lease.tokenSetId().value(), lease.owner());
    }

    /**
     * Ends the lease but keeps the in-doubt marker: the upstream call ended without an answer (a read timeout, a
     * broken connection), so the IdP may have processed it and rotated the refresh token.
     */
    public void releaseInDoubt(RefreshLease lease) {
        jdbc.update("UPDATE refresh_lease SET expires_at = '-infinity' WHERE token_set_id = ? AND owner = ?",
                lease.tokenSetId().value(), lease.owner());
    }

    /** True when some live lease exists for the token set. */
    public boolean isHeld(TokenSetId tokenSetId) {
        Boolean held = jdbc.query("SELECT expires_at > now() FROM refresh_lease WHERE token_set_id = ?",
                rs -> rs.next() ? rs.getBoolean(1) : Boolean.FALSE, tokenSetId.value());
        return Boolean.TRUE.equals(held);
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
