package dev.tokenbroker.api.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Who received whose tokens: every recorded hand-out (one per client and access-token version) from the
 * history read model, with the owner from the token set view (kept after erasure), and totals per client.
 */
public final class HandOutReport {

    static final int MAX_LISTED = 10_000;

    private final JdbcTemplate jdbc;

    public HandOutReport(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
    }

    record HandOut(String clientId, UUID tokenSetId, String userId, String connectorId, long tokenVersion,
                   Instant handedOutAt, String eventId) {
    }

    record ClientTotal(String clientId, long handOuts, long tokenSets, long users, Instant first, Instant last) {
    }

    /**
     * @param truncated whether more than {@value #MAX_LISTED} hand-outs matched (the totals count them all;
     *                  narrow the time range to list the rest)
     */
    record Report(List<ClientTotal> totals, List<HandOut> handOuts, boolean truncated) {
    }

    Report report(String userId, String connectorId, String clientId, Instant from, Instant to) {
        StringBuilder where = new StringBuilder(" FROM token_set_history h JOIN token_set_view v"
                + " ON v.token_set_id = h.token_set_id WHERE h.event_type = 'AccessTokenHandedOut'");
        List<Object> args = new ArrayList<>();
        if (userId != null) {
            where.append(" AND v.user_id = ?");
            args.add(userId);
        }
        if (connectorId != null) {
            where.append(" AND v.connector_id = ?");
            args.add(connectorId);
        }
        if (clientId != null) {
            where.append(" AND h.client_id = ?");
            args.add(clientId);
        }
        if (from != null) {
            where.append(" AND h.occurred_at >= ?");
            args.add(Timestamp.from(from));
        }
        if (to != null) {
            where.append(" AND h.occurred_at < ?");
            args.add(Timestamp.from(to));
        }
        List<ClientTotal> totals = jdbc.query("SELECT h.client_id, count(*), count(DISTINCT h.token_set_id),"
                        + " count(DISTINCT v.user_id), min(h.occurred_at), max(h.occurred_at)" + where
                        + " GROUP BY h.client_id ORDER BY h.client_id",
                (rs, n) -> new ClientTotal(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant()), args.toArray());
        List<HandOut> handOuts = jdbc.query("SELECT h.client_id, h.token_set_id, v.user_id, v.connector_id,"
                        + " h.token_version, h.occurred_at, h.event_id" + where
                        + " ORDER BY h.occurred_at, h.token_set_id, h.sequence_number LIMIT " + (MAX_LISTED + 1),
                (rs, n) -> new HandOut(rs.getString(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                        rs.getLong(5), rs.getTimestamp(6).toInstant(), rs.getString(7)), args.toArray());
        boolean truncated = handOuts.size() > MAX_LISTED;
        return new Report(totals, truncated ? handOuts.subList(0, MAX_LISTED) : handOuts, truncated);
    }
}
