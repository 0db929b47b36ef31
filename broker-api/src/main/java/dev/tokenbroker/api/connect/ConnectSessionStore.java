package dev.tokenbroker.api.connect;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * Connect sessions in PostgreSQL. Every state change is one conditional {@code UPDATE}, so a
 * session is opened once and finished once even when two browsers (or two broker instances)
 * race for it.
 */
public final class ConnectSessionStore {

    private final JdbcTemplate jdbc;

    public ConnectSessionStore(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    public void create(ConnectSession session) {
        jdbc.update("""
                        insert into connect_session (session_id, client_id, user_id, connector_id, requested_scopes,
                                                     return_to, status, created_at, expires_at)
                        values (?, ?, ?, ?, ?, ?, 'CREATED', ?, ?)""",
                session.sessionId(), session.clientId(), session.userId(), session.connectorId(),
                session.requestedScopes(), session.returnTo().toString(), Timestamp.from(session.createdAt()),
                Timestamp.from(session.expiresAt()));
    }

    /**
     * The client's open sessions (not finished, not expired), counted only up to {@code limit} so that a
     * check against a quota costs at most {@code limit} index entries however many rows exist.
     */
    public int countOpen(String clientId, Instant now, int limit) {
        Integer open = jdbc.queryForObject("""
                        select count(*) from (select 1 from connect_session
                                              where client_id = ? and status <> 'FINISHED' and expires_at > ?
                                              limit ?) open_session""",
                Integer.class, clientId, Timestamp.from(now), limit);
        return open == null ? 0 : open;
    }

    /** When the client's earliest open session expires, if it has one. */
    public Optional<Instant> earliestOpenExpiry(String clientId, Instant now) {
        Timestamp earliest = jdbc.queryForObject("""
                        select min(expires_at) from connect_session
                        where client_id = ? and status <> 'FINISHED' and expires_at > ?""",
                Timestamp.class, clientId, Timestamp.from(now));
        return Optional.ofNullable(earliest).map(Timestamp::toInstant);
    }

    public Optional<ConnectSession> find(String sessionId) {
        return first(jdbc.query("select * from connect_session where session_id = ?", ROW, sessionId));
    }

    public Optional<ConnectSession> findByState(String state) {
        return first(jdbc.query("select * from connect_session where state_hash = ?", ROW, hash(state)));
    }

    /** CREATED → REDIRECTED, once, before expiry; stores the sealed PKCE verifier, nonce and state. */
    public boolean markRedirected(String sessionId, String state, byte[] sealedPending, Instant now) {
        return jdbc.update("""
                        update connect_session set status = 'REDIRECTED', state_hash = ?, sealed_pending = ?
                        where session_id = ? and status = 'CREATED' and expires_at > ?""",
                hash(state), sealedPending, sessionId, Timestamp.from(now)) == 1;
    }

    /**
     * REDIRECTED → FINISHED, once, before expiry; returns the sealed authorization secrets and
     * deletes them from the row, so the code verifier exists only as long as it is needed.
     */
    public Optional<byte[]> finish(String sessionId, Instant now) {
        List<byte[]> sealed = jdbc.query("""
                        update connect_session s set status = 'FINISHED', finished_at = ?, sealed_pending = null
                        from (select session_id, sealed_pending from connect_session where session_id = ? for update) old
                        where s.session_id = old.session_id and s.status = 'REDIRECTED' and s.expires_at > ?
                        returning old.sealed_pending""",
                (rs, row) -> rs.getBytes(1), Timestamp.from(now), sessionId, Timestamp.from(now));
        return first(sealed);
    }

    /** Records how the session ended (for support and audit); never a secret. */
    public void recordOutcome(String sessionId, String outcome, Instant now) {
        jdbc.update("update connect_session set status = 'FINISHED', outcome = ?, sealed_pending = null, "
                + "finished_at = coalesce(finished_at, ?) where session_id = ?", outcome, Timestamp.from(now), sessionId);
    }

    /** Deletes sessions that ended or expired more than a day ago. */
    public int deleteExpired(Instant before) {
        return jdbc.update("delete from connect_session where expires_at < ?", Timestamp.from(before));
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> Optional<T> first(List<T> rows) {
        return rows.stream().findFirst();
    }

    private static final RowMapper<ConnectSession> ROW = (rs, row) -> new ConnectSession(
            rs.getString("session_id"), rs.getString("client_id"), rs.getString("user_id"),
            rs.getString("connector_id"), rs.getString("requested_scopes"), URI.create(rs.getString("return_to")),
            ConnectSession.Status.valueOf(rs.getString("status")),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("expires_at").toInstant());
}
