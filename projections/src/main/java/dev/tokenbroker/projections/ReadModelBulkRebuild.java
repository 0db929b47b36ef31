package dev.tokenbroker.projections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.axonframework.common.DateTimeUtils;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.UnknownSerializedType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tokenbroker.projections.history.TokenSetHistoryEntries;
import dev.tokenbroker.projections.history.TokenSetHistoryEntry;
import dev.tokenbroker.projections.history.TokenSetHistoryRepository;
import dev.tokenbroker.projections.tokenset.TokenSetView;
import dev.tokenbroker.projections.tokenset.TokenSetViewFold;
import dev.tokenbroker.projections.tokenset.TokenSetViewRepository;

/**
 * Rebuilds {@code token_set_view} and {@code token_set_history} from the event store in one pass, then hands over
 * to the streaming processors at the position it scanned.
 *
 * <p>Why not the processors' own replay: they pay per event what a rebuild only needs per chunk — an Axon message
 * and handler dispatch, a Jackson decode per read model, one to two SQL statements with a round trip each, one
 * transaction per 100 events (measured: ≈ 350 µs CPU per event, 1,700 events/s; benchmarks/scale/RESULTS.md).
 * Here every event is read once through a forward-only cursor, decoded once, and feeds both read models: the history
 * gets its rows through multi-row {@code INSERT}s, the view is folded in memory ({@link TokenSetViewFold}) and
 * written once per token set. The scan runs in token-set order (the event table's unique index on aggregate and
 * sequence number), so only one token set's row is held at a time — memory does not grow with the store — and the
 * history's indexes, which all lead with the token set, are appended to in order. Decoding runs on one thread,
 * the writes on {@value #WRITERS} others, so the JVM's share and PostgreSQL's overlap.
 *
 * <p>The same rows as the processors: the history rows come from the projection's own mapping
 * ({@link TokenSetHistoryEntries}), the view rows from a fold that mirrors the repository's statements, written
 * under the processor's "only when newer" rule.
 *
 * <p>Hand-over, so that no event is lost or applied twice: the scan reads one snapshot (a {@code REPEATABLE READ}
 * transaction) up to the highest global index it sees; global indexes below that which are missing from the
 * snapshot (transactions still in flight, or rolled back) become the gaps of the {@link GapAwareTrackingToken}
 * the processors resume from — exactly how the JDBC event store's own tokens treat them. At the start, in the
 * transaction that empties the tables, the processors' tokens go back to the first event: if the rebuild dies
 * half-way (or fails), starting the processors replays everything the slow way and the result is still right.
 * Live writes meanwhile: the token-set view's write-through skips rows the rebuild has not written yet, and the
 * processors apply those events after the hand-over; redelivery is harmless (history {@code ON CONFLICT DO NOTHING},
 * view "only when newer").
 *
 * <p>Like {@link ReadModelRebuild}: the processors of these read models must be stopped on every instance
 * (claimed tokens cannot be moved; the rebuild fails and says so).
 */
public final class ReadModelBulkRebuild {

    /** The JDBC event store's default {@code maxGapOffset}: gaps further behind the head are not tracked. */
    static final int MAX_GAP_OFFSET = 10_000;

    /** Rows per fetch from the cursor and per write transaction. */
    static final int FETCH_SIZE = 2_000;
    static final int HISTORY_ROWS_PER_TRANSACTION = 10_000;
    static final int VIEW_ROWS_PER_BATCH = 500;

    /**
     * Writer threads, each with its own connection and transactions: one PostgreSQL backend inserting was the
     * bottleneck (≈ 20 µs of its CPU per history row against ≈ 14 µs of the scanning thread's); chunks are
     * independent (history rows are keyed by token set and sequence number, each view row comes once).
     */
    static final int WRITERS = 2;

    private static final Logger log = LoggerFactory.getLogger(ReadModelBulkRebuild.class);

    private final Configuration axon;
    private final DataSource dataSource;
    private final TokenSetViewRepository view;
    private final TokenSetHistoryRepository history;

    public ReadModelBulkRebuild(Configuration axon, DataSource dataSource, TokenSetViewRepository view,
                                TokenSetHistoryRepository history) {
        this.axon = Objects.requireNonNull(axon, "axon");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.view = Objects.requireNonNull(view, "view");
        this.history = Objects.requireNonNull(history, "history");
    }

    /** Counters a caller reads while {@link #run} works: events to scan (once known) and events written. */
    public static final class Counters {
        final AtomicLong total = new AtomicLong(-1);
        final AtomicLong written = new AtomicLong();

        /** Events in the snapshot the rebuild scans; -1 until known. */
        public long total() {
            return total.get();
        }

        /** Events whose read-model rows are committed. */
        public long written() {
            return written.get();
        }
    }

    /**
     * Runs the rebuild on the calling thread; the processors of {@code processingGroups} must be shut down. Returns
     * the position the processors resume from; they are not started here.
     */
    public TrackingToken run(List<String> processingGroups, Counters counters) throws Exception {
        TransactionManager transactions = axon.getComponent(TransactionManager.class);
        transactions.executeInTransaction(() -> {
            view.deleteAll();
            history.deleteAll();
            storeTokens(processingGroups, null); // a failure from here on: the processors replay from the first event
        });
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            int isolation = connection.getTransactionIsolation();
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                GapAwareTrackingToken position = snapshotPosition(connection);
                counters.total.set(count(connection, position.getIndex()));
                scanAndWrite(connection, position.getIndex(), counters, transactions);
                connection.commit();
                transactions.executeInTransaction(() -> storeTokens(processingGroups, position));
                log.info("Bulk rebuild wrote the read models of {} events; the processors resume after global index {}"
                        + " ({} gaps)", counters.written(), position.getIndex(), position.getGaps().size());
                return position;
            } finally {
                connection.rollback();
                connection.setTransactionIsolation(isolation);
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /** The highest global index in this transaction's snapshot, with the indexes below it the snapshot lacks. */
    private static GapAwareTrackingToken snapshotPosition(Connection connection) throws SQLException {
        long head;
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT coalesce(max(globalindex), -1) FROM domainevententry")) {
            rs.next();
            head = rs.getLong(1);
        }
        Set<Long> gaps = new TreeSet<>();
        if (head >= 0) {
            long from = Math.max(0, head - MAX_GAP_OFFSET);
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT globalindex FROM domainevententry WHERE globalindex >= ? AND globalindex <= ? ORDER BY globalindex")) {
                statement.setLong(1, from);
                statement.setLong(2, head);
                try (ResultSet rs = statement.executeQuery()) {
                    long expected = -1;
                    while (rs.next()) {
                        long index = rs.getLong(1);
                        // the first index seen is the floor: below it, the window starts (or the store does)
                        for (long gap = expected < 0 ? index : expected; gap < index; gap++) {
                            gaps.add(gap);
                        }
                        expected = index + 1;
                    }
                }
            }
        }
        return GapAwareTrackingToken.newInstance(head, gaps);
    }

    private static long count(Connection connection, long head) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM domainevententry WHERE globalindex <= ?")) {
            statement.setLong(1, head);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A chunk of rows for the writer thread; {@link #END} closes the stream. */
    private record Chunk(List<TokenSetHistoryEntry> history, List<TokenSetView> views, long events) {
    }

    private static final Chunk END = new Chunk(List.of(), List.of(), 0);

    private void scanAndWrite(Connection connection, long head, Counters counters, TransactionManager transactions)
            throws Exception {
        BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(4);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Thread writer = new Thread(() -> {
                try {
                    for (Chunk chunk = chunks.take(); chunk != END; chunk = chunks.take()) {
                        Chunk written = chunk;
                        transactions.executeInTransaction(() -> {
                            history.appendAll(written.history());
                            if (!written.views().isEmpty()) {
                                view.upsertAll(written.views());
                            }
                        });
                        counters.written.addAndGet(written.events());
                    }
                } catch (Throwable e) {
                    writerFailure.compareAndSet(null, e);
                    chunks.clear();
                }
            }, "read-model-rebuild-writer-" + w);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
        try {
            scan(connection, head, chunk -> {
                while (!chunks.offer(chunk, 1, TimeUnit.SECONDS)) {
                    if (writerFailure.get() != null || writers.stream().noneMatch(Thread::isAlive)) {
                        throw new IllegalStateException("The rebuild's writers stopped", writerFailure.get());
                    }
                }
            });
        } finally {
            for (Thread writer : writers) {
                while (writers.stream().anyMatch(Thread::isAlive) && !chunks.offer(END, 1, TimeUnit.SECONDS)) {
                    // the writers are busy or died; they drain or have cleared the queue
                }
            }
            for (Thread writer : writers) {
                writer.join();
            }
        }
        if (writerFailure.get() != null) {
            throw new IllegalStateException("Writing the rebuilt read models failed", writerFailure.get());
        }
    }

    private interface ChunkSink {
        void accept(Chunk chunk) throws Exception;
    }

    private void scan(Connection connection, long head, ChunkSink sink) throws Exception {
        Serializer serializer = axon.eventSerializer();
        Map<String, Boolean> tokenSetEvents = new HashMap<>();
        try (Statement settings = connection.createStatement()) {
            // the unique index on (aggregate, sequence number) gives the order; a sort of the whole store would spill
            settings.execute("SET LOCAL enable_sort = off");
        }
        List<TokenSetHistoryEntry> historyRows = new ArrayList<>();
        List<TokenSetView> viewRows = new ArrayList<>();
        long events = 0;
        String aggregate = null;
        TokenSetView row = null;
        try (PreparedStatement statement = connection.prepareStatement(
                // the payload as text: JSON is UTF-8, and a bytea column comes over unprepared statements as hex text,
                // twice the bytes and a decode on both ends (measured: 10 % of the scanning thread)
                "SELECT aggregateidentifier, sequencenumber, eventidentifier, timestamp, payloadtype, payloadrevision,"
                        + " convert_from(payload, 'UTF8') FROM domainevententry WHERE globalindex <= ? ORDER BY aggregateidentifier, sequencenumber",
                ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            statement.setFetchSize(FETCH_SIZE);
            statement.setLong(1, head);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    events++;
                    String aggregateId = rs.getString(1);
                    if (!aggregateId.equals(aggregate)) {
                        if (row != null) {
                            viewRows.add(row);
                        }
                        aggregate = aggregateId;
                        row = null;
                    }
                    String type = rs.getString(5);
                    String revision = rs.getString(6);
                    if (tokenSetEvents.computeIfAbsent(type + '/' + revision,
                            key -> isTokenSetEvent(serializer, type, revision))) {
                        Object payload = serializer.deserialize(
                                new SimpleSerializedObject<>(rs.getString(7), String.class, type, revision));
                        long sequenceNumber = rs.getLong(2);
                        Instant occurredAt = parseTimestamp(rs.getString(4));
                        historyRows.add(TokenSetHistoryEntries.of(payload, sequenceNumber, rs.getString(3), occurredAt));
                        row = TokenSetViewFold.apply(row, payload, sequenceNumber, occurredAt);
                    }
                    if (historyRows.size() >= HISTORY_ROWS_PER_TRANSACTION || viewRows.size() >= VIEW_ROWS_PER_BATCH) {
                        sink.accept(new Chunk(historyRows, viewRows, events));
                        historyRows = new ArrayList<>();
                        viewRows = new ArrayList<>();
                        events = 0;
                    }
                }
            }
        }
        if (row != null) {
            viewRows.add(row);
        }
        sink.accept(new Chunk(historyRows, viewRows, events));
    }

    /**
     * The event store's timestamp column as an instant, as {@link DateTimeUtils#parseInstant} reads it; without its
     * formatter for the form Axon writes ({@code 2026-01-01T00:00:00.000Z}): the formatter cost 15 % of the scanning
     * thread. Anything else goes to Axon's parser.
     */
    static Instant parseTimestamp(String value) {
        int length = value.length();
        if (length < 20 || length > 30 || value.charAt(length - 1) != 'Z' || value.charAt(4) != '-' || value.charAt(7) != '-'
                || value.charAt(10) != 'T' || value.charAt(13) != ':' || value.charAt(16) != ':') {
            return DateTimeUtils.parseInstant(value);
        }
        int nanos = 0;
        if (length > 20) {
            int digits = length - 21;
            if (value.charAt(19) != '.' || digits < 1 || digits > 9) {
                return DateTimeUtils.parseInstant(value);
            }
            int fraction = digits(value, 20, length - 1);
            if (fraction < 0) {
                return DateTimeUtils.parseInstant(value);
            }
            nanos = fraction * (int) Math.pow(10, 9 - digits);
        }
        int year = digits(value, 0, 4);
        int month = digits(value, 5, 7);
        int day = digits(value, 8, 10);
        int hour = digits(value, 11, 13);
        int minute = digits(value, 14, 16);
        int second = digits(value, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return DateTimeUtils.parseInstant(value);
        }
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number in {@code value[from, to)}; -1 when a character is not a digit. */
    private static int digits(String value, int from, int to) {
        int number = 0;
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            number = number * 10 + (c - '0');
        }
        return number;
    }

    private static boolean isTokenSetEvent(Serializer serializer, String type, String revision) {
        Class<?> payloadType = serializer.classForType(new SimpleSerializedType(type, revision));
        return payloadType != UnknownSerializedType.class
                && TokenSetHistoryEntries.EVENT_TYPES.contains(payloadType);
    }

    /** Every segment of every group to {@code token} ({@code null}: the first event), claims released. */
    private void storeTokens(List<String> processingGroups, TrackingToken token) {
        for (String group : processingGroups) {
            TokenStore tokens = axon.eventProcessingConfiguration().tokenStore(group);
            int[] segments = tokens.fetchSegments(group);
            if (segments.length == 0) {
                tokens.initializeTokenSegments(group, ProjectionProcessors.INITIAL_SEGMENT_COUNT, token);
                continue;
            }
            for (int segment : segments) {
                tokens.storeToken(token, group, segment); // claims the segment; fails while another node holds it
                tokens.releaseClaim(group, segment);
            }
        }
    }
}
