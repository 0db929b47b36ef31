package dev.tokenbroker.api.audit;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGStatement;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Token sets as they stood at an instant, folded from the metadata of their events in
 * {@code token_set_history} (one row per event, never token material, kept after erasure).
 *
 * <h2>Bounded reads</h2>
 * Each field of the state is last-writer-wins over a fixed set of event types (a link sets everything a
 * link carries, a refresh its part, a hand-out the hand-out fields, ...). So folding, in sequence order,
 * only <em>the last event of each type</em> (and the last {@value #LAST_HAND_OUTS} hand-outs, and the last
 * refresh that carried a refresh-token expiry, which a refresh without one keeps) gives exactly the state
 * the whole history would: one lookup per type on the index (token set, event type, sequence number), after
 * one lookup of the last event at or before the instant on (token set, occurred at). About a dozen index
 * rows whatever the history's length: no replay, no payload deserialization.
 *
 * <p>"At or before the instant" takes the events in sequence order up to the last one whose timestamp is not
 * after the instant: a token set's events are appended one after the other under its aggregate's lock, so
 * their timestamps follow their sequence.
 *
 * <p>Every token set at once ({@link #streamAll}) is one ordered pass over the history instead, folding each
 * token set's rows and handing its state on before the next: constant memory for any number of token sets.
 */
public final class TokenSetStates {

    static final int LAST_HAND_OUTS = 10;

    private static final String COLUMNS = "h.token_set_id, h.sequence_number, h.event_type, h.occurred_at, h.outcome,"
            + " h.error_code, h.detail, h.client_id, h.granted_scopes, h.access_token_expires_at,"
            + " h.refresh_token_expires_at, h.retry_at, h.data_key_version, h.token_version, h.refresh_token_version,"
            + " h.upstream_subject";

    /** {@link #streamAll}'s owner columns, after {@link #COLUMNS}. */
    private static final int USER_ID = 17;
    private static final int CONNECTOR_ID = 18;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;

    public TokenSetStates(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.jdbc = new JdbcTemplate(dataSource);
    }

    private static final String LAST_AT_OR_BEFORE = "SELECT sequence_number FROM token_set_history"
            + " WHERE token_set_id = ? AND occurred_at <= ? ORDER BY occurred_at DESC, sequence_number DESC LIMIT 1";

    /** The token set's state at the instant, or empty when it had no event by then. */
    Optional<ConnectionState> at(String userId, String connectorId, Instant at) {
        UUID id = TokenSetId.of(userId, connectorId).value();
        List<Long> last = jdbc.queryForList(LAST_AT_OR_BEFORE, Long.class, id, Timestamp.from(at));
        if (last.isEmpty()) {
            return Optional.empty();
        }
        Query pieces = pieces(id, last.get(0));
        Map<Long, Row> rows = new TreeMap<>();
        jdbc.query(pieces.sql(), rs -> {
            Row row = row(rs);
            rows.put(row.sequenceNumber(), row);
        }, pieces.args());
        Fold fold = new Fold(id, userId, connectorId);
        rows.values().forEach(fold::apply);
        return Optional.of(fold.state(at));
    }

    /** The plans of {@link #at}'s two queries, as {@code EXPLAIN (ANALYZE, BUFFERS)} prints them (for benchmarks). */
    List<String> explain(String userId, String connectorId, Instant at) {
        UUID id = TokenSetId.of(userId, connectorId).value();
        List<String> plan = new ArrayList<>(jdbc.queryForList("EXPLAIN (ANALYZE, BUFFERS) " + LAST_AT_OR_BEFORE,
                String.class, id, Timestamp.from(at)));
        Long bound = jdbc.queryForObject(LAST_AT_OR_BEFORE, Long.class, id, Timestamp.from(at));
        Query pieces = pieces(id, bound);
        plan.addAll(jdbc.queryForList("EXPLAIN (ANALYZE, BUFFERS) " + pieces.sql(), String.class, pieces.args()));
        return plan;
    }

    private record Query(String sql, Object[] args) {
    }

    /** The last event of each type up to the bound, the last refresh-token expiry and the last hand-outs. */
    private static Query pieces(UUID id, long bound) {
        String arm = "(SELECT " + COLUMNS + " FROM token_set_history h WHERE h.token_set_id = ? AND h.event_type = ?"
                + " AND h.sequence_number <= ? %s ORDER BY h.sequence_number DESC LIMIT %d)";
        List<String> arms = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        for (String type : List.of("TokenSetLinked", "TokenSetRefreshed", "TokenRefreshFailed", "ReauthorizationRequired",
                "TokenSetRevoked", "TokenSetErased")) {
            arms.add(String.format(arm, "", 1));
            args.addAll(List.of(id, type, bound));
        }
        arms.add(String.format(arm, "AND h.refresh_token_expires_at IS NOT NULL", 1));
        args.addAll(List.of(id, "TokenSetRefreshed", bound));
        arms.add(String.format(arm, "", LAST_HAND_OUTS));
        args.addAll(List.of(id, "AccessTokenHandedOut", bound));
        return new Query(String.join(" UNION ALL ", arms), args.toArray());
    }

    /**
     * Every token set that existed at the instant, in token-set-id order, in one streaming pass over the
     * history (a forward-only cursor in a read-only transaction).
     */
    void streamAll(Instant at, Consumer<ConnectionState> sink) {
        String sql = "SELECT " + COLUMNS + ", v.user_id, v.connector_id FROM token_set_history h"
                + " JOIN token_set_view v ON v.token_set_id = h.token_set_id"
                + " WHERE h.occurred_at <= ? ORDER BY h.token_set_id, h.sequence_number";
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (PreparedStatement statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY)) {
                statement.setFetchSize(2_000);
                // binary results (timestamps, uuids, arrays decode without text parsing); see EventFeed.stream
                statement.unwrap(PGStatement.class).setPrepareThreshold(-1);
                statement.setTimestamp(1, Timestamp.from(at));
                try (ResultSet rs = statement.executeQuery()) {
                    Fold fold = null;
                    while (rs.next()) {
                        Row row = row(rs);
                        if (fold == null || !fold.tokenSetId.equals(row.tokenSetId())) {
                            if (fold != null) {
                                sink.accept(fold.state(at));
                            }
                            fold = new Fold(row.tokenSetId(), rs.getString(USER_ID), rs.getString(CONNECTOR_ID));
                        }
                        fold.apply(row);
                    }
                    if (fold != null) {
                        sink.accept(fold.state(at));
                    }
                }
            } finally {
                connection.rollback();
                connection.setReadOnly(false);
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the token set history", e);
        }
    }

    private record Row(UUID tokenSetId, long sequenceNumber, String eventType, Instant occurredAt, String outcome,
                       String errorCode, String detail, String clientId, List<String> scopes,
                       Instant accessTokenExpiresAt, Instant refreshTokenExpiresAt, Instant retryAt,
                       Integer dataKeyVersion, Long tokenVersion, Long refreshTokenVersion, String upstreamSubject) {
    }

    /** By position, in the order of {@link #COLUMNS} (every query here selects them first): no name lookups per row. */
    private static Row row(ResultSet rs) throws SQLException {
        Array scopes = rs.getArray(9);
        return new Row(rs.getObject(1, UUID.class), rs.getLong(2), rs.getString(3), instant(rs, 4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8),
                scopes == null ? null : Arrays.stream((String[]) scopes.getArray()).sorted().toList(),
                instant(rs, 10), instant(rs, 11), instant(rs, 12), (Integer) rs.getObject(13), (Long) rs.getObject(14),
                (Long) rs.getObject(15), rs.getString(16));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** The token_set_view's rules, event by event, on metadata only. */
    private static final class Fold {

        final UUID tokenSetId;
        final String userId;
        final String connectorId;
        long sequence = -1;
        TokenSetStatus status;
        List<String> scopes;
        String upstreamSubject;
        Integer dataKeyVersion;
        long tokenVersion;
        long refreshTokenVersion;
        Instant accessTokenExpiresAt;
        Instant refreshTokenExpiresAt;
        Instant linkedAt;
        Instant lastRefreshedAt;
        ConnectionState.Failure failure;
        String reauthorizationReason;
        Instant revokedAt;
        String upstreamRevocation;
        Instant erasedAt;
        Instant lastHandedOutAt;
        final Deque<ConnectionState.HandOut> handOuts = new ArrayDeque<>();

        Fold(UUID tokenSetId, String userId, String connectorId) {
            this.tokenSetId = tokenSetId;
            this.userId = userId;
            this.connectorId = connectorId;
        }

        void apply(Row row) {
            sequence = row.sequenceNumber();
            switch (row.eventType()) {
                case "TokenSetLinked" -> {
                    status = TokenSetStatus.ACTIVE;
                    scopes = row.scopes();
                    upstreamSubject = row.upstreamSubject();
                    dataKeyVersion = row.dataKeyVersion();
                    tokenVersion = orZero(row.tokenVersion());
                    refreshTokenVersion = orZero(row.refreshTokenVersion());
                    accessTokenExpiresAt = row.accessTokenExpiresAt();
                    refreshTokenExpiresAt = row.refreshTokenExpiresAt();
                    linkedAt = row.occurredAt();
                    lastRefreshedAt = null;
                    failure = null;
                    reauthorizationReason = null;
                    revokedAt = null;
                    upstreamRevocation = null;
                    erasedAt = null;
                }
                case "TokenSetRefreshed" -> {
                    status = TokenSetStatus.ACTIVE;
                    scopes = row.scopes();
                    tokenVersion = orZero(row.tokenVersion());
                    refreshTokenVersion = orZero(row.refreshTokenVersion());
                    accessTokenExpiresAt = row.accessTokenExpiresAt();
                    if (row.refreshTokenExpiresAt() != null) {
                        refreshTokenExpiresAt = row.refreshTokenExpiresAt();
                    }
                    lastRefreshedAt = row.occurredAt();
                    failure = null;
                    reauthorizationReason = null;
                }
                case "TokenRefreshFailed" -> {
                    if ("TRANSIENT".equals(row.outcome())) {
                        status = TokenSetStatus.REFRESH_FAILING;
                    }
                    failure = new ConnectionState.Failure(row.outcome(), row.errorCode(), row.detail(), row.retryAt(),
                            row.occurredAt());
                }
                case "ReauthorizationRequired" -> {
                    status = TokenSetStatus.REAUTHORIZATION_REQUIRED;
                    reauthorizationReason = row.detail();
                }
                case "AccessTokenHandedOut" -> {
                    lastHandedOutAt = row.occurredAt();
                    handOuts.addFirst(new ConnectionState.HandOut(row.clientId(), orZero(row.tokenVersion()),
                            row.occurredAt()));
                    if (handOuts.size() > LAST_HAND_OUTS) {
                        handOuts.removeLast();
                    }
                }
                case "TokenSetRevoked" -> {
                    status = TokenSetStatus.REVOKED;
                    revokedAt = row.occurredAt();
                    upstreamRevocation = row.outcome();
                }
                case "TokenSetErased" -> {
                    status = TokenSetStatus.ERASED;
                    erasedAt = row.occurredAt();
                }
                default -> {
                    // an event type this version does not fold: its metadata stays in the history and the feed
                }
            }
        }

        ConnectionState state(Instant at) {
            List<ConnectionState.HandOut> latest = new ArrayList<>(handOuts);
            latest.sort(Comparator.comparing(ConnectionState.HandOut::at).reversed());
            return new ConnectionState(tokenSetId, userId, connectorId, at, sequence, status, scopes, upstreamSubject,
                    dataKeyVersion, tokenVersion, refreshTokenVersion, accessTokenExpiresAt, refreshTokenExpiresAt,
                    linkedAt, lastRefreshedAt, failure, reauthorizationReason, revokedAt, upstreamRevocation, erasedAt,
                    lastHandedOutAt, latest);
        }

        private static long orZero(Long value) {
            return value == null ? 0 : value;
        }
    }
}
