package dev.tokenbroker.projections.chain;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.jdbc.core.JdbcTemplate;

/** The {@code event_chain} table and the raw {@code domainevententry} rows the chain covers. */
public final class EventChainRepository {

    /** The stored event's columns, in the order {@link #link} reads them. */
    static final String EVENT_COLUMNS = "d.globalindex, d.eventidentifier, d.aggregateidentifier, d.sequencenumber,"
            + " d.type, d.payloadtype, d.payloadrevision, d.timestamp, d.payload, d.metadata";

    private final JdbcTemplate jdbc;

    public EventChainRepository(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    /** The chain's last link: its index, position and digest. */
    public record Head(long chainIndex, long position, byte[] digest) {
    }

    public Optional<Head> head() {
        return jdbc.query("SELECT chain_index, global_index, digest FROM event_chain ORDER BY chain_index DESC LIMIT 1",
                rs -> rs.next() ? Optional.of(new Head(rs.getLong(1), rs.getLong(2), rs.getBytes(3))) : Optional.empty());
    }

    public Optional<Head> at(long chainIndex) {
        return jdbc.query("SELECT chain_index, global_index, digest FROM event_chain WHERE chain_index = ?",
                rs -> rs.next() ? Optional.of(new Head(rs.getLong(1), rs.getLong(2), rs.getBytes(3))) : Optional.empty(),
                chainIndex);
    }

    /** Appends the stored events at these positions, in this order, after the current head. */
    void append(List<Long> positions) {
        Long[] wanted = positions.toArray(Long[]::new);
        Set<Long> chained = new HashSet<>(jdbc.query(
                "SELECT global_index FROM event_chain WHERE global_index = ANY(?)",
                (rs, i) -> rs.getLong(1), (Object) sqlArray(wanted)));
        Map<Long, ChainLink> rows = new HashMap<>();
        jdbc.query("SELECT " + EVENT_COLUMNS + " FROM domainevententry d WHERE d.globalindex = ANY(?)",
                rs -> {
                    ChainLink link = link(rs, 1, -1, null);
                    rows.put(link.position(), link);
                }, (Object) sqlArray(wanted));
        Optional<Head> head = head();
        long index = head.map(Head::chainIndex).orElse(-1L);
        byte[] previous = head.map(Head::digest).orElse(EventChainEncoding.GENESIS);
        List<Object[]> inserts = new ArrayList<>(positions.size());
        for (Long position : positions) {
            if (chained.contains(position)) {
                continue; // delivered again (a batch retried after its commit raced a claim loss): chained once
            }
            ChainLink row = rows.get(position);
            if (row == null) {
                throw new IllegalStateException("event at position " + position + " was delivered but is not stored");
            }
            previous = EventChainEncoding.next(previous, row);
            index++;
            inserts.add(new Object[]{index, position, row.eventId(), previous});
        }
        jdbc.batchUpdate("INSERT INTO event_chain (chain_index, global_index, event_identifier, digest) VALUES (?, ?, ?, ?)",
                inserts);
    }

    /**
     * Streams the links with chain index in {@code [fromChainIndex, toChainIndex]} joined to the stored
     * rows at their positions, in chain order. {@code stored} is null when no row is stored there.
     */
    public void walk(long fromChainIndex, long toChainIndex, Consumer<StoredLink> consumer) {
        jdbc.query(connection -> {
            var statement = connection.prepareStatement("SELECT c.chain_index, c.global_index, c.event_identifier, c.digest, "
                    + EVENT_COLUMNS + " FROM event_chain c LEFT JOIN domainevententry d ON d.globalindex = c.global_index"
                    + " WHERE c.chain_index BETWEEN ? AND ? ORDER BY c.chain_index");
            statement.setFetchSize(2000);
            statement.setLong(1, fromChainIndex);
            statement.setLong(2, toChainIndex);
            return statement;
        }, rs -> {
            long chainIndex = rs.getLong(1);
            long position = rs.getLong(2);
            String eventId = rs.getString(3);
            byte[] digest = rs.getBytes(4);
            rs.getLong(5);
            ChainLink stored = rs.wasNull() ? null : link(rs, 5, chainIndex, digest);
            consumer.accept(new StoredLink(chainIndex, position, eventId, digest, stored));
        });
    }

    /** A link of the chain table and what the event store holds at its position. */
    public record StoredLink(long chainIndex, long position, String eventId, byte[] digest, ChainLink stored) {
    }

    /** The position at which the event store holds this event id, if any. */
    public Optional<Long> positionOf(String eventId) {
        return jdbc.query("SELECT globalindex FROM domainevententry WHERE eventidentifier = ?",
                rs -> rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty(), eventId);
    }

    /**
     * The first stored event with a position in {@code [from, to]} that the chain does not hold, other
     * than {@code pending} ones (gaps the chain's tracking token still waits for: transactions in flight).
     */
    public Optional<Long> firstUnchained(long from, long to, Set<Long> pending) {
        Long[] skip = pending.toArray(Long[]::new);
        return jdbc.query("SELECT d.globalindex FROM domainevententry d WHERE d.globalindex BETWEEN ? AND ?"
                        + " AND NOT EXISTS (SELECT 1 FROM event_chain c WHERE c.global_index = d.globalindex)"
                        + " AND NOT d.globalindex = ANY(?) ORDER BY d.globalindex LIMIT 1",
                rs -> rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty(), from, to, sqlArray(skip));
    }

    /**
     * The gaps of the chain processor's tracking token: positions below its index not yet delivered
     * (Axon's {@code GapAwareTrackingToken}, stored as JSON by the Jackson serializer).
     */
    public Set<Long> pendingGaps() {
        List<byte[]> tokens = jdbc.query("SELECT token FROM tokenentry WHERE processorname = ? AND token IS NOT NULL",
                (rs, i) -> rs.getBytes(1), EventChainer.PROCESSING_GROUP);
        Set<Long> gaps = new HashSet<>();
        for (byte[] token : tokens) {
            try {
                com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(token);
                com.fasterxml.jackson.databind.JsonNode values = node == null ? null : node.findValue("gaps");
                if (values != null) {
                    values.forEach(v -> gaps.add(v.asLong()));
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the event-chain tracking token is not JSON", e);
            }
        }
        return gaps;
    }

    /** The smallest chain index whose position is at least {@code position}; the chain's order may differ slightly from positions. */
    public Optional<Long> chainIndexAtOrAfter(long position) {
        return jdbc.query("SELECT min(chain_index) FROM event_chain WHERE global_index >= ?",
                rs -> rs.next() && rs.getObject(1) != null ? Optional.of(rs.getLong(1)) : Optional.empty(), position);
    }

    public Optional<Long> chainIndexAtOrBefore(long position) {
        return jdbc.query("SELECT max(chain_index) FROM event_chain WHERE global_index <= ?",
                rs -> rs.next() && rs.getObject(1) != null ? Optional.of(rs.getLong(1)) : Optional.empty(), position);
    }

    /** When the link at this chain index was chained, for the checkpoint policy. */
    public Optional<java.time.Instant> chainedAt(long chainIndex) {
        return jdbc.query("SELECT chained_at FROM event_chain WHERE chain_index = ?",
                rs -> rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty(), chainIndex);
    }

    static ChainLink link(ResultSet rs, int first, long chainIndex, byte[] digest) throws SQLException {
        return new ChainLink(rs.getLong(first), chainIndex, rs.getString(first + 1), rs.getString(first + 2),
                rs.getLong(first + 3), rs.getString(first + 4), rs.getString(first + 5), rs.getString(first + 6),
                rs.getString(first + 7), EventChainEncoding.hashOrNull(rs.getBytes(first + 8)),
                EventChainEncoding.hashOrNull(rs.getBytes(first + 9)), digest);
    }

    private Array sqlArray(Long[] values) {
        return jdbc.execute((java.sql.Connection c) -> c.createArrayOf("bigint", values));
    }
}
