package dev.tokenbroker.api.audit;

import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.projections.integration.IntegrationEvent;
import dev.tokenbroker.projections.integration.IntegrationEvents;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.tokenbroker.core.api.SealedToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.serialization.Revision;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.json.JacksonSerializer;
import org.postgresql.PGStatement;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The whole event store in global order as {@link IntegrationEvent}s, read straight from
 * {@code domainevententry} with keyset queries ({@code globalindex > ? ORDER BY globalindex LIMIT ?}) and
 * the application's event {@link Serializer}.
 *
 * <h2>Gaps and the safe horizon</h2>
 * {@code globalindex} is a sequence: a transaction takes its number when it inserts and may commit after a
 * later number was committed, or roll back and leave a hole for good. A cursor past such a hole would skip
 * the late event forever. So every read stops at the <em>safe horizon</em>: the highest position below
 * which every hole is older than {@code gapTimeout} — a hole is judged by the event just above it, whose
 * timestamp says when that later event was created; a transaction still holding the missing number after
 * that long is assumed rolled back (the broker's transactions last milliseconds; Axon's own gap-aware
 * tracking makes the same assumption, with the same kind of timeout). Without holes the horizon is the head.
 * Only the newest {@value #TAIL_WINDOW} rows are examined; when even the oldest of them is young, the
 * horizon falls back below the window (busy stores lag by at most {@code gapTimeout}, never skip).
 *
 * <h2>Owners and status</h2>
 * Only a link names the user and connector; the owner of a token set not yet known is looked up per chunk in
 * {@code token_set_view} (one {@code = ANY(?)} query), and only for ids the view lacks in its sequence-0 event
 * (always a link). A hand-out (or a permanent failure) leaves the status as it was: the status before it is
 * carried along the page, or read from the token set's previous event other than a hand-out — one query per
 * chunk for all token sets the bounded cache does not know, on the (aggregate, sequence) index, fetching the
 * payload only of a refresh failure (every other type decides the status by itself).
 *
 * <h2>Cost per event</h2>
 * The export reads a million rows a minute or more, so each row costs only what it must (see
 * {@code benchmarks/audit/RESULTS.md}): binary result columns, payloads read by a metadata-only reader that skips
 * sealed tokens unread (the feed never holds ciphertext), no Axon message per row, and the stored timestamp parsed
 * without a formatter.
 */
public final class EventFeed {

    static final int TAIL_WINDOW = 5_000;
    private static final int CHUNK = 500;
    /**
     * Token sets the export remembers (owner and latest status). An entry is a map entry, the aggregate id, a small
     * record and the user id (the connector id is shared): about 250 bytes with user ids of a few dozen characters,
     * at most about 460 bytes with 255-character ones, so at most about 23 MB for the cache. More interleaved token
     * sets than this only cost the miss path (one view query and one status query per chunk), not correctness.
     */
    private static final int STREAM_CACHE = 50_000;
    private static final int STREAM_FETCH = 2_000;

    private static final Map<String, String> PAYLOAD_TYPES = Map.of(
            IntegrationEvents.LINKED, TokenSetLinked.class.getName(),
            IntegrationEvents.REFRESHED, TokenSetRefreshed.class.getName(),
            IntegrationEvents.REFRESH_FAILED, TokenRefreshFailed.class.getName(),
            IntegrationEvents.REAUTHORIZATION_REQUIRED, ReauthorizationRequired.class.getName(),
            IntegrationEvents.ACCESS_TOKEN_HANDED_OUT, AccessTokenHandedOut.class.getName(),
            IntegrationEvents.REVOKED, TokenSetRevoked.class.getName(),
            IntegrationEvents.ERASED, TokenSetErased.class.getName());

    private static final Map<String, Class<?>> PAYLOAD_CLASSES = Map.of(
            TokenSetLinked.class.getName(), TokenSetLinked.class,
            TokenSetRefreshed.class.getName(), TokenSetRefreshed.class,
            TokenRefreshFailed.class.getName(), TokenRefreshFailed.class,
            ReauthorizationRequired.class.getName(), ReauthorizationRequired.class,
            AccessTokenHandedOut.class.getName(), AccessTokenHandedOut.class,
            TokenSetRevoked.class.getName(), TokenSetRevoked.class,
            TokenSetErased.class.getName(), TokenSetErased.class);

    private static final String COLUMNS = "globalindex, aggregateidentifier, sequencenumber, eventidentifier,"
            + " payload, payloadtype, payloadrevision, timestamp";

    /**
     * The status each event type sets whatever its content ({@code IntegrationEvents.from}); a refresh failure's
     * depends on its kind, a hand-out has none.
     */
    private static final Map<String, TokenSetStatus> STATUS_OF_TYPE = Map.of(
            TokenSetLinked.class.getName(), TokenSetStatus.ACTIVE,
            TokenSetRefreshed.class.getName(), TokenSetStatus.ACTIVE,
            ReauthorizationRequired.class.getName(), TokenSetStatus.REAUTHORIZATION_REQUIRED,
            TokenSetRevoked.class.getName(), TokenSetStatus.REVOKED,
            TokenSetErased.class.getName(), TokenSetStatus.ERASED);

    /** {@link #COLUMNS} for a status lookup: the payload only where the status depends on it (a refresh failure). */
    private static final String STATUS_COLUMNS = "globalindex, aggregateidentifier, sequencenumber, eventidentifier,"
            + " CASE WHEN payloadtype = '" + TokenRefreshFailed.class.getName() + "' THEN payload END,"
            + " payloadtype, payloadrevision, timestamp";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final ConnectorRegistry connectors;
    private final Clock clock;
    private final Duration gapTimeout;
    /** One reader per payload class at its current revision (a metadata-only copy of the serializer's mapper). */
    private final Map<String, KnownPayload> readers = new ConcurrentHashMap<>();

    public EventFeed(DataSource dataSource, Serializer serializer, ConnectorRegistry connectors, Clock clock,
                     Duration gapTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.jdbc = new JdbcTemplate(dataSource);
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.connectors = Objects.requireNonNull(connectors, "connectors");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.gapTimeout = Objects.requireNonNull(gapTimeout, "gapTimeout");
        if (serializer instanceof JacksonSerializer jackson) {
            // the feed is metadata only: sealed tokens are skipped unread (no base64 decoding of ciphertexts)
            ObjectMapper metadataOnly = jackson.getObjectMapper().copy().registerModule(
                    new SimpleModule("audit-feed-metadata-only").addDeserializer(SealedToken.class, new SkippedSealedToken()));
            PAYLOAD_CLASSES.forEach((name, type) -> readers.put(name,
                    new KnownPayload(revisionOf(type), metadataOnly.readerFor(type))));
        }
    }

    /** The reader of one payload class at its current revision. */
    private record KnownPayload(String revision, ObjectReader reader) {
    }

    /** Reads a sealed token as {@code null}, skipping its JSON: the feed never carries token material. */
    private static final class SkippedSealedToken extends StdDeserializer<SealedToken> {

        SkippedSealedToken() {
            super(SealedToken.class);
        }

        @Override
        public SealedToken deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            parser.skipChildren();
            return null;
        }
    }

    private static String revisionOf(Class<?> type) {
        Revision revision = type.getAnnotation(Revision.class);
        return revision == null ? null : revision.value();
    }

    /** One page: the events, the position to continue after, whether it reached the safe horizon. */
    record Page(List<IntegrationEvent> events, long nextPosition, boolean caughtUp, long horizon) {
    }

    /** The valid integration-event type names. */
    static Set<String> types() {
        return PAYLOAD_TYPES.keySet();
    }

    /** The safe horizon (see the class comment); 0 for an empty store. */
    public long safeHorizon() {
        record Row(long position, String timestamp) {
        }
        List<Row> tail = jdbc.query("SELECT globalindex, timestamp FROM domainevententry"
                        + " ORDER BY globalindex DESC LIMIT " + TAIL_WINDOW,
                (rs, n) -> new Row(rs.getLong(1), rs.getString(2)));
        if (tail.isEmpty()) {
            return 0;
        }
        Instant young = clock.instant().minus(gapTimeout);
        long horizon = tail.get(0).position();
        for (int i = 0; i + 1 < tail.size(); i++) {
            Row upper = tail.get(i);
            Row lower = tail.get(i + 1);
            if (upper.position() > lower.position() + 1 && DateTimeUtils.parseInstant(upper.timestamp()).isAfter(young)) {
                horizon = lower.position();
            }
        }
        Row oldest = tail.get(tail.size() - 1);
        if (tail.size() == TAIL_WINDOW && DateTimeUtils.parseInstant(oldest.timestamp()).isAfter(young)) {
            horizon = Math.min(horizon, oldest.position() - 1);
        }
        return horizon;
    }

    /** Up to {@code limit} matching events after {@code after}, up to the safe horizon. */
    Page page(long after, int limit, EventFeedFilter filter) {
        long horizon = safeHorizon();
        Query query = query(after, horizon, filter);
        if (query == null || after >= horizon) {
            return new Page(List.of(), Math.max(after, horizon), true, horizon);
        }
        List<Stored> rows = jdbc.query(query.sql() + " LIMIT " + limit, (rs, n) -> stored(rs), query.args());
        List<IntegrationEvent> events = new Resolver(limit + 16).complete(rows);
        boolean caughtUp = rows.size() < limit;
        long next = caughtUp ? horizon : rows.get(rows.size() - 1).position();
        return new Page(events, next, caughtUp, horizon);
    }

    /**
     * Every matching event after {@code after} up to {@code horizon} (a {@link #safeHorizon()}), in constant memory:
     * a forward-only cursor with a fetch size in a read-only transaction, owners resolved per chunk.
     *
     * @return the position the export reached (a cursor position for the next export)
     */
    long stream(long after, long horizon, EventFeedFilter filter, Consumer<IntegrationEvent> sink) {
        Query query = query(after, horizon, filter);
        if (query == null || after >= horizon) {
            return Math.max(after, horizon);
        }
        Resolver resolver = new Resolver(STREAM_CACHE);
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (PreparedStatement statement = connection.prepareStatement(query.sql(), ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY)) {
                // binary results: bytea arrives as bytes, not as hex text to decode (pgjdbc asks for binary
                // only for statements it has described; a negative threshold makes it do so at once)
                statement.unwrap(PGStatement.class).setPrepareThreshold(-1);
                statement.setFetchSize(STREAM_FETCH);
                for (int i = 0; i < query.args().length; i++) {
                    statement.setObject(i + 1, query.args()[i]);
                }
                try (ResultSet rs = statement.executeQuery()) {
                    List<Stored> chunk = new ArrayList<>(CHUNK);
                    while (rs.next()) {
                        chunk.add(stored(rs));
                        if (chunk.size() == CHUNK) {
                            resolver.complete(chunk).forEach(sink);
                            chunk.clear();
                        }
                    }
                    resolver.complete(chunk).forEach(sink);
                }
            } finally {
                connection.rollback();
                connection.setReadOnly(false);
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the event store", e);
        }
        return horizon;
    }

    /** The complete history of one token set, oldest first (a subject-access export, not a hot path). */
    List<IntegrationEvent> historyOf(TokenSetId tokenSetId) {
        List<Stored> rows = jdbc.query("SELECT " + COLUMNS + " FROM domainevententry WHERE aggregateidentifier = ?"
                        + " AND payloadtype IN (" + placeholders(PAYLOAD_TYPES.size()) + ") ORDER BY sequencenumber",
                (rs, n) -> stored(rs), concat(new Object[] {tokenSetId.toString()}, PAYLOAD_TYPES.values().toArray()));
        return new Resolver(16).complete(rows);
    }

    /** The token sets of a user, a connector, or both, erased ones included. */
    Set<UUID> tokenSetIds(String userId, String connectorId) {
        Set<UUID> ids = new LinkedHashSet<>();
        if (userId != null && connectorId != null) {
            ids.add(TokenSetId.of(userId, connectorId).value());
            return ids;
        }
        if (userId != null) {
            // The configured connectors by derivation (no read-model lag), plus removed connectors from the view.
            connectors.ids().forEach(connector -> ids.add(TokenSetId.of(userId, connector).value()));
            ids.addAll(jdbc.queryForList("SELECT token_set_id FROM token_set_view WHERE user_id = ?", UUID.class, userId));
        } else if (connectorId != null) {
            ids.addAll(jdbc.queryForList("SELECT token_set_id FROM token_set_view WHERE connector_id = ?", UUID.class,
                    connectorId));
        }
        return ids;
    }

    private record Query(String sql, Object[] args) {
    }

    /** The keyset query of a filter, or {@code null} when nothing can match. */
    private Query query(long after, long horizon, EventFeedFilter filter) {
        List<Object> args = new ArrayList<>(List.of(after, horizon));
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM domainevententry"
                + " WHERE globalindex > ? AND globalindex <= ?");
        List<String> payloadTypes = (filter.types().isEmpty() ? List.copyOf(PAYLOAD_TYPES.keySet()) : filter.types())
                .stream().map(PAYLOAD_TYPES::get).toList();
        sql.append(" AND payloadtype IN (").append(placeholders(payloadTypes.size())).append(')');
        args.addAll(payloadTypes);
        if (filter.userId() != null || filter.connectorId() != null) {
            Set<UUID> ids = tokenSetIds(filter.userId(), filter.connectorId());
            if (ids.isEmpty()) {
                return null;
            }
            sql.append(" AND aggregateidentifier IN (").append(placeholders(ids.size())).append(')');
            ids.forEach(id -> args.add(id.toString()));
        }
        if (filter.clientId() != null) {
            // the hand-outs to the client, and what the client caused itself (an unlink, an on-demand refresh)
            sql.append(" AND (convert_from(payload, 'UTF8')::jsonb ->> 'clientId' = ?"
                    + " OR (convert_from(payload, 'UTF8')::jsonb -> 'actor' ->> 'type' = 'API_CLIENT'"
                    + " AND convert_from(payload, 'UTF8')::jsonb -> 'actor' ->> 'id' = ?))");
            args.add(filter.clientId());
            args.add(filter.clientId());
        }
        if (filter.from() != null) {
            sql.append(" AND CAST(timestamp AS timestamptz) >= ?");
            args.add(Timestamp.from(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" AND CAST(timestamp AS timestamptz) < ?");
            args.add(Timestamp.from(filter.to()));
        }
        sql.append(" ORDER BY globalindex");
        return new Query(sql.toString(), args.toArray());
    }

    /** One stored event, payload still serialized. */
    private record Stored(long position, String aggregateId, long sequence, String eventId, byte[] payload,
                          String payloadType, String revision, String timestamp) {
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        // by position: every query here selects COLUMNS first, in that order (no name lookup per row)
        return new Stored(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getBytes(5),
                rs.getString(6), rs.getString(7), rs.getString(8));
    }

    /**
     * The payload object: straight through a cached Jackson reader for the known classes at their current
     * revision (what Axon's {@link JacksonSerializer} does for them, without its per-call class lookup, reader
     * creation and converter chain; there are no upcasters), through the serializer for anything else.
     */
    private Object payload(Stored row) {
        KnownPayload known = readers.get(row.payloadType());
        if (known != null && Objects.equals(known.revision(), row.revision())) {
            try {
                return known.reader().readValue(row.payload());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the payload of event " + row.eventId(), e);
            }
        }
        return serializer.deserialize(
                new SimpleSerializedObject<>(row.payload(), byte[].class, row.payloadType(), row.revision()));
    }

    private IntegrationEvent event(Stored row) {
        return event(row, payload(row));
    }

    private static IntegrationEvent event(Stored row, Object payload) {
        return IntegrationEvents.from(payload, row.eventId(), row.position(), row.sequence(),
                StoredTimestamps.parse(row.timestamp()));
    }

    /**
     * The status an earlier event (read with {@link #STATUS_COLUMNS}) leaves: by its type where the type decides,
     * from its payload for a refresh failure, {@code null} for a hand-out, a permanent failure or a foreign type.
     */
    private TokenSetStatus statusOf(Stored earlier) {
        TokenSetStatus byType = STATUS_OF_TYPE.get(earlier.payloadType());
        if (byType != null) {
            return byType;
        }
        return earlier.payload() != null && PAYLOAD_TYPES.containsValue(earlier.payloadType())
                ? event(earlier).status() : null;
    }

    /** What the feed knows of one token set: its owner once found, its status after the last event seen. */
    private static final class Known {
        boolean owned;
        String userId;
        String connectorId;
        TokenSetStatus status;
    }

    /** Completes mapped events with owner and status-before; the cache is bounded (LRU). */
    private final class Resolver {

        private final Map<String, Known> known;
        /** Connector ids, one instance each (a handful of connectors, many token sets). */
        private final Map<String, String> connectorIds = new HashMap<>();

        Resolver(int capacity) {
            this.known = lru(capacity);
        }

        private Known known(String aggregateId) {
            return known.computeIfAbsent(aggregateId, id -> new Known());
        }

        private void own(String aggregateId, String userId, String connectorId) {
            Known k = known(aggregateId);
            k.owned = true;
            k.userId = userId;
            k.connectorId = connectorId == null || connectorIds.size() >= 10_000 ? connectorId
                    : connectorIds.computeIfAbsent(connectorId, c -> c);
        }

        private TokenSetStatus knownStatus(String aggregateId) {
            Known k = known.get(aggregateId);
            return k == null ? null : k.status;
        }

        List<IntegrationEvent> complete(List<Stored> rows) {
            Object[] payloads = new Object[rows.size()];
            for (int i = 0; i < payloads.length; i++) {
                Stored row = rows.get(i);
                payloads[i] = payload(row);
                if (payloads[i] instanceof TokenSetLinked linked) {
                    // a link names its owner (the same on every link of a token set): no lookup needed
                    own(row.aggregateId(), linked.userId(), linked.connectorId());
                }
            }
            resolveOwners(rows);
            IntegrationEvent[] mapped = new IntegrationEvent[payloads.length];
            for (int i = 0; i < payloads.length; i++) {
                mapped[i] = event(rows.get(i), payloads[i]);
            }
            resolveStatusesBefore(rows, mapped);
            List<IntegrationEvent> events = new ArrayList<>(rows.size());
            for (int i = 0; i < payloads.length; i++) {
                Stored row = rows.get(i);
                IntegrationEvent event = mapped[i];
                TokenSetStatus before = event.status() != null ? null : statusBefore(row);
                Known k = known(row.aggregateId());
                IntegrationEvent completed = k.owned ? event.completedWith(k.userId, k.connectorId, before)
                        : event.completedWith(null, null, before);
                k.status = completed.status();
                events.add(completed);
            }
            return events;
        }

        /**
         * The owners of the chunk's token sets not known yet: one query on {@code token_set_view} (its user and
         * connector are those of the token set's links: the id is derived from them), then the sequence-0 link for
         * the ids the view lacks (a view being rebuilt, a projection lagging behind a new token set).
         */
        private void resolveOwners(List<Stored> rows) {
            Map<UUID, String> missing = new LinkedHashMap<>();
            Set<String> notUuid = new LinkedHashSet<>();
            for (Stored row : rows) {
                Known k = known.get(row.aggregateId());
                if (k == null || !k.owned) {
                    try {
                        missing.putIfAbsent(UUID.fromString(row.aggregateId()), row.aggregateId());
                    } catch (IllegalArgumentException e) {
                        notUuid.add(row.aggregateId());
                    }
                }
            }
            if (!missing.isEmpty()) {
                UUID[] ids = missing.keySet().toArray(UUID[]::new);
                jdbc.query("SELECT token_set_id, user_id, connector_id FROM token_set_view WHERE token_set_id = ANY(?)",
                        statement -> statement.setArray(1, statement.getConnection().createArrayOf("uuid", ids)),
                        rs -> {
                            String aggregateId = missing.remove(rs.getObject(1, UUID.class));
                            if (aggregateId != null) {
                                own(aggregateId, rs.getString(2), rs.getString(3));
                            }
                        });
            }
            Set<String> fromLinks = new LinkedHashSet<>(missing.values());
            fromLinks.addAll(notUuid);
            if (fromLinks.isEmpty()) {
                return;
            }
            jdbc.query("SELECT " + COLUMNS + " FROM domainevententry WHERE sequencenumber = 0 AND aggregateidentifier IN ("
                    + placeholders(fromLinks.size()) + ")", rs -> {
                        Stored first = stored(rs);
                        if (payload(first) instanceof TokenSetLinked linked) {
                            own(first.aggregateId(), linked.userId(), linked.connectorId());
                        }
                    }, fromLinks.toArray());
        }

        /**
         * The status before each token set's first status-less event in the chunk (a hand-out, a permanent failure)
         * when neither the cache nor an earlier event of the chunk knows it: one query for the chunk (the last
         * event below that one other than a hand-out, per token set), instead of one per event. Needed whenever
         * more token sets interleave than the cache holds. Only a refresh failure's payload is fetched and read; any
         * other type decides the status by itself ({@link #statusOf}). A permanent failure found there has no
         * status of its own; those few are left to {@link #statusBefore}'s walk back.
         */
        private void resolveStatusesBefore(List<Stored> rows, IntegrationEvent[] mapped) {
            Map<String, Long> missing = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < mapped.length; i++) {
                String aggregate = rows.get(i).aggregateId();
                if (seen.add(aggregate) && mapped[i].status() == null && knownStatus(aggregate) == null) {
                    missing.put(aggregate, rows.get(i).sequence());
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            String[] ids = missing.keySet().toArray(String[]::new);
            Long[] below = missing.values().toArray(Long[]::new);
            jdbc.query("SELECT d.* FROM unnest(?::text[], ?::bigint[]) AS m(id, below) CROSS JOIN LATERAL (SELECT "
                    + STATUS_COLUMNS + " FROM domainevententry WHERE aggregateidentifier = m.id"
                    + " AND sequencenumber < m.below AND payloadtype <> ? ORDER BY sequencenumber DESC LIMIT 1) d",
                    statement -> {
                        statement.setArray(1, statement.getConnection().createArrayOf("text", ids));
                        statement.setArray(2, statement.getConnection().createArrayOf("bigint", below));
                        statement.setString(3, AccessTokenHandedOut.class.getName());
                    }, rs -> {
                        Stored earlier = stored(rs);
                        TokenSetStatus status = statusOf(earlier);
                        if (status != null) {
                            known(earlier.aggregateId()).status = status;
                        }
                    });
        }

        private TokenSetStatus statusBefore(Stored row) {
            TokenSetStatus knownStatus = knownStatus(row.aggregateId());
            if (knownStatus != null) {
                return knownStatus;
            }
            long below = row.sequence();
            while (below > 0) {
                List<Stored> earlier = jdbc.query("SELECT " + STATUS_COLUMNS + " FROM domainevententry"
                                + " WHERE aggregateidentifier = ? AND sequencenumber < ? AND payloadtype <> ?"
                                + " ORDER BY sequencenumber DESC LIMIT 8", (rs, n) -> stored(rs),
                        row.aggregateId(), below, AccessTokenHandedOut.class.getName());
                if (earlier.isEmpty()) {
                    return null;
                }
                for (Stored candidate : earlier) {
                    TokenSetStatus status = statusOf(candidate);
                    if (status != null) {
                        return status;
                    }
                    below = candidate.sequence();
                }
            }
            return null;
        }
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = new Object[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
