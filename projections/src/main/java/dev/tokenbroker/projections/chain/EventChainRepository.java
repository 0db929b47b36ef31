package dev.tokenbroker.projections.chain;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;

/** The {@code event_chain} table and the raw {@code domainevententry} rows the chain covers. */
public final class EventChainRepository {

    /**
     * How a late event is handled: the chain follows delivery order, and a position the delivery passed
     * without an event is remembered in {@code event_chain_pending}. Once an event is stored there, the
     * next batch appends it at the chain's end (Axon may deliver it too, or may have given up on it after
     * its gap timeout: either way it is chained exactly once). A position still empty after the
     * late-event horizon is forgotten with a warning.
     */
    public static final String LATE_EVENTS = "late events";

    private static final Logger log = LoggerFactory.getLogger(EventChainRepository.class);

    /**
     * The stored event's columns, in the order {@link #link} reads them. PostgreSQL hashes payload and metadata
     * (the chain covers their SHA-256, see {@link EventChainEncoding}): 64 bytes per event cross the wire, not
     * the ciphertext.
     */
    static final String EVENT_COLUMNS = "d.globalindex, d.eventidentifier, d.aggregateidentifier, d.sequencenumber,"
            + " d.type, d.payloadtype, d.payloadrevision, d.timestamp, sha256(d.payload), sha256(d.metadata)";

    private final JdbcTemplate jdbc;
    private final Duration lateEventHorizon;

    public EventChainRepository(JdbcTemplate jdbc) {
        this(jdbc, EventChainSettings.DEFAULT.lateEventHorizon());
    }

    /** @param lateEventHorizon how long a position passed without an event is waited for */
    public EventChainRepository(JdbcTemplate jdbc, Duration lateEventHorizon) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.lateEventHorizon = Objects.requireNonNull(lateEventHorizon, "lateEventHorizon");
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

    /**
     * Appends the stored events at these positions, in this order, after the current head; then every
     * late event: one stored at a position the delivery had passed without it (see {@link #LATE_EVENTS}).
     */
    void append(List<Long> positions) {
        Tip tip = tip();
        Set<Long> delivered = new HashSet<>(positions);
        long newest = positions.stream().mapToLong(Long::longValue).max().orElse(tip.newestPosition());
        long deliveredAbove = positions.stream().filter(p -> p > tip.newestPosition()).distinct().count();
        if (newest - tip.newestPosition() > deliveredAbove) {
            // positions passed without an event: a transaction in flight (or rolled back); wait for them ourselves,
            // whatever Axon's gap timeout decides
            jdbc.update("INSERT INTO event_chain_pending (global_index) SELECT g FROM generate_series(?::bigint, ?::bigint) g"
                    + " WHERE g <> ALL(?) ON CONFLICT DO NOTHING", tip.newestPosition() + 1, newest - 1,
                    sqlArray(positions.toArray(Long[]::new)));
        }
        List<Long> order = new ArrayList<>(positions);
        jdbc.query("DELETE FROM event_chain_pending p WHERE p.noticed_at < now() - make_interval(secs => ?)"
                        + " OR EXISTS (SELECT 1 FROM domainevententry d WHERE d.globalindex = p.global_index)"
                        + " RETURNING p.global_index, EXISTS (SELECT 1 FROM domainevententry d WHERE d.globalindex = p.global_index),"
                        + " p.noticed_at",
                rs -> {
                    long position = rs.getLong(1);
                    if (!rs.getBoolean(2)) {
                        log.warn("event chain: no event stored at position {} since the chain passed it ({}, horizon {}):"
                                + " no longer waiting for it; one stored later is reported by verification as inserted",
                                position, rs.getTimestamp(3).toInstant(), lateEventHorizon);
                    } else if (delivered.add(position)) {
                        log.info("event chain: the event at position {} was stored after later events were chained;"
                                + " appending it at the chain's end", position);
                        order.add(position);
                    }
                }, lateEventHorizon.toMillis() / 1000.0);
        Long[] wanted = order.toArray(Long[]::new);
        Set<Long> chained = new HashSet<>(jdbc.query(
                "SELECT global_index FROM event_chain WHERE global_index = ANY(?)",
                (rs, i) -> rs.getLong(1), (Object) sqlArray(wanted)));
        Map<Long, ChainLink> rows = new HashMap<>();
        jdbc.query("SELECT " + EVENT_COLUMNS + " FROM domainevententry d WHERE d.globalindex = ANY(?)",
                rs -> {
                    ChainLink link = link(rs, 1, -1, null);
                    rows.put(link.position(), link);
                }, (Object) sqlArray(wanted));
        long index = tip.head().map(Head::chainIndex).orElse(-1L);
        byte[] previous = tip.head().map(Head::digest).orElse(EventChainEncoding.GENESIS);
        List<Object[]> inserts = new ArrayList<>(order.size());
        for (Long position : order) {
            if (!chained.add(position)) {
                continue; // delivered again (a batch retried after its commit raced a claim loss, a late event Axon
                          // still delivers): chained once
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

    /** The head, and the newest position chained (late events sit below it at higher chain indexes). */
    private record Tip(Optional<Head> head, long newestPosition) {
    }

    private Tip tip() {
        return jdbc.query("SELECT chain_index, global_index, digest, (SELECT max(global_index) FROM event_chain)"
                        + " FROM event_chain ORDER BY chain_index DESC LIMIT 1",
                rs -> rs.next() ? new Tip(Optional.of(new Head(rs.getLong(1), rs.getLong(2), rs.getBytes(3))), rs.getLong(4))
                        : new Tip(Optional.empty(), 0));
    }

    /** Positions the chain passed without an event and still waits for (transactions in flight or rolled back). */
    public Set<Long> pendingPositions() {
        return new HashSet<>(jdbc.queryForList("SELECT global_index FROM event_chain_pending", Long.class));
    }

    /**
     * Streams the links with chain index in {@code [fromChainIndex, toChainIndex]} joined to the stored
     * rows at their positions, in chain order. {@code stored} is null when no row is stored there.
     */
    public void walk(long fromChainIndex, long toChainIndex, Consumer<StoredLink> consumer) {
        // PostgreSQL's driver honours the fetch size only outside auto-commit: without it, the whole range
        // would be read into memory before the first link is checked
        jdbc.execute((java.sql.Connection connection) -> {
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try (var statement = connection.prepareStatement("SELECT c.chain_index, c.global_index, c.event_identifier,"
                    + " c.digest, " + EVENT_COLUMNS + " FROM event_chain c LEFT JOIN domainevententry d"
                    + " ON d.globalindex = c.global_index WHERE c.chain_index BETWEEN ? AND ? ORDER BY c.chain_index")) {
                statement.setFetchSize(5000);
                statement.setLong(1, fromChainIndex);
                statement.setLong(2, toChainIndex);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        long chainIndex = rs.getLong(1);
                        long position = rs.getLong(2);
                        String eventId = rs.getString(3);
                        byte[] digest = rs.getBytes(4);
                        rs.getLong(5);
                        ChainLink stored = rs.wasNull() ? null : link(rs, 5, chainIndex, digest);
                        consumer.accept(new StoredLink(chainIndex, position, eventId, digest, stored));
                    }
                }
            } finally {
                if (autoCommit) {
                    connection.rollback(); // read only
                    connection.setAutoCommit(true);
                }
            }
            return null;
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
        Set<Long> gaps = pendingPositions();
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
                rs.getString(first + 7), rs.getBytes(first + 8), rs.getBytes(first + 9), digest);
    }

    private Array sqlArray(Long[] values) {
        return jdbc.execute((java.sql.Connection c) -> c.createArrayOf("bigint", values));
    }
}
