package dev.tokenbroker.projections.history;

import static dev.tokenbroker.projections.jdbc.SqlValues.bigint;
import static dev.tokenbroker.projections.jdbc.SqlValues.bool;
import static dev.tokenbroker.projections.jdbc.SqlValues.instant;
import static dev.tokenbroker.projections.jdbc.SqlValues.integer;
import static dev.tokenbroker.projections.jdbc.SqlValues.nullableBoolean;
import static dev.tokenbroker.projections.jdbc.SqlValues.nullableInt;
import static dev.tokenbroker.projections.jdbc.SqlValues.nullableLong;
import static dev.tokenbroker.projections.jdbc.SqlValues.scopes;
import static dev.tokenbroker.projections.jdbc.SqlValues.text;
import static dev.tokenbroker.projections.jdbc.SqlValues.timestamp;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenSetId;

/**
 * JDBC access to {@code token_set_history}, append-only. The primary key (token set, sequence number)
 * makes a redelivered event a no-op ({@code ON CONFLICT DO NOTHING}).
 */
public final class TokenSetHistoryRepository {

    private static final String COLUMNS = "token_set_id, sequence_number, event_id, event_type, occurred_at, actor_type,"
            + " actor_id, connect_session_id, cause, outcome, error_code, detail, client_id, granted_scopes,"
            + " access_token_expires_at, refresh_token_expires_at, refresh_token_rotated, retry_at, data_key_version,"
            + " token_version, refresh_token_version, upstream_subject";

    private final JdbcTemplate jdbc;

    public TokenSetHistoryRepository(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    void append(TokenSetHistoryEntry entry) {
        jdbc.update(insert(1), parameters(entry));
    }

    /**
     * Appends many entries with one multi-row {@code INSERT} per {@value #ROWS_PER_STATEMENT} entries (the bulk
     * rebuild's path): the same statement and values as {@link #append}, one round trip and one executor run per
     * chunk instead of per row. Joins the caller's transaction.
     */
    public void appendAll(List<TokenSetHistoryEntry> entries) {
        for (int from = 0; from < entries.size(); from += ROWS_PER_STATEMENT) {
            List<TokenSetHistoryEntry> chunk = entries.subList(from, Math.min(entries.size(), from + ROWS_PER_STATEMENT));
            // bound directly rather than through SqlParameterValue: Spring's per-parameter handling cost more than
            // the insert itself at 11,000 parameters per statement; the values and SQL types are the same
            jdbc.update(chunk.size() == ROWS_PER_STATEMENT ? FULL_CHUNK_INSERT : insert(chunk.size()), statement -> {
                int i = 1;
                for (TokenSetHistoryEntry entry : chunk) {
                    statement.setObject(i++, entry.tokenSetId().value());
                    statement.setLong(i++, entry.sequenceNumber());
                    setText(statement, i++, entry.eventId());
                    setText(statement, i++, entry.eventType());
                    setTimestamp(statement, i++, entry.occurredAt());
                    setText(statement, i++, entry.actor().type().name());
                    setText(statement, i++, entry.actor().id());
                    setText(statement, i++, entry.actor().connectSessionId());
                    setText(statement, i++, entry.cause());
                    setText(statement, i++, entry.outcome());
                    setText(statement, i++, entry.errorCode());
                    setText(statement, i++, entry.detail());
                    setText(statement, i++, entry.clientId());
                    if (entry.grantedScopes() == null) {
                        statement.setNull(i++, Types.ARRAY);
                    } else {
                        statement.setObject(i++, new java.util.TreeSet<>(entry.grantedScopes()).toArray(String[]::new), Types.ARRAY);
                    }
                    setTimestamp(statement, i++, entry.accessTokenExpiresAt());
                    setTimestamp(statement, i++, entry.refreshTokenExpiresAt());
                    if (entry.refreshTokenRotated() == null) {
                        statement.setNull(i++, Types.BOOLEAN);
                    } else {
                        statement.setBoolean(i++, entry.refreshTokenRotated());
                    }
                    setTimestamp(statement, i++, entry.retryAt());
                    if (entry.dataKeyVersion() == null) {
                        statement.setNull(i++, Types.INTEGER);
                    } else {
                        statement.setInt(i++, entry.dataKeyVersion());
                    }
                    setLong(statement, i++, entry.tokenVersion());
                    setLong(statement, i++, entry.refreshTokenVersion());
                    setText(statement, i++, entry.upstreamSubject());
                }
            });
        }
    }

    private static void setText(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    private static void setTimestamp(PreparedStatement statement, int index, java.time.Instant value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, value.atOffset(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
        }
    }

    private static final int PARAMETERS_PER_ROW = 22;

    /** 500 rows of 22 parameters: well below PostgreSQL's 65,535 bind parameters per statement. */
    static final int ROWS_PER_STATEMENT = 500;

    private static final String FULL_CHUNK_INSERT = insert(ROWS_PER_STATEMENT);

    private static String insert(int rows) {
        String row = "(" + String.join(", ", java.util.Collections.nCopies(PARAMETERS_PER_ROW, "?")) + ")";
        return "INSERT INTO token_set_history (" + COLUMNS + ") VALUES "
                + String.join(", ", java.util.Collections.nCopies(rows, row))
                + " ON CONFLICT (token_set_id, sequence_number) DO NOTHING";
    }

    private static Object[] parameters(TokenSetHistoryEntry entry) {
        return new Object[] {
                entry.tokenSetId().value(), entry.sequenceNumber(), text(entry.eventId()), text(entry.eventType()),
                timestamp(entry.occurredAt()), text(entry.actor().type().name()), text(entry.actor().id()),
                text(entry.actor().connectSessionId()), text(entry.cause()), text(entry.outcome()),
                text(entry.errorCode()), text(entry.detail()), text(entry.clientId()), scopes(entry.grantedScopes()),
                timestamp(entry.accessTokenExpiresAt()), timestamp(entry.refreshTokenExpiresAt()),
                bool(entry.refreshTokenRotated()), timestamp(entry.retryAt()), integer(entry.dataKeyVersion()),
                bigint(entry.tokenVersion()), bigint(entry.refreshTokenVersion()), text(entry.upstreamSubject())};
    }

    /** For a replay from the first event. */
    public void deleteAll() {
        jdbc.update("DELETE FROM token_set_history");
    }

    /** The history of one token set, oldest first. */
    public List<TokenSetHistoryEntry> historyOf(TokenSetId tokenSetId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM token_set_history WHERE token_set_id = ?"
                + " ORDER BY sequence_number", ROW_MAPPER, tokenSetId.value());
    }

    private static final RowMapper<TokenSetHistoryEntry> ROW_MAPPER = (rs, rowNum) -> new TokenSetHistoryEntry(
            new TokenSetId(rs.getObject("token_set_id", UUID.class)),
            rs.getLong("sequence_number"),
            rs.getString("event_id"),
            rs.getString("event_type"),
            instant(rs, "occurred_at"),
            new Actor(Actor.Type.valueOf(rs.getString("actor_type")), rs.getString("actor_id"),
                    rs.getString("connect_session_id")),
            rs.getString("cause"),
            rs.getString("outcome"),
            rs.getString("error_code"),
            rs.getString("detail"),
            rs.getString("client_id"),
            scopes(rs, "granted_scopes"),
            instant(rs, "access_token_expires_at"),
            instant(rs, "refresh_token_expires_at"),
            nullableBoolean(rs, "refresh_token_rotated"),
            instant(rs, "retry_at"),
            nullableInt(rs, "data_key_version"),
            nullableLong(rs, "token_version"),
            nullableLong(rs, "refresh_token_version"),
            rs.getString("upstream_subject"));
}
