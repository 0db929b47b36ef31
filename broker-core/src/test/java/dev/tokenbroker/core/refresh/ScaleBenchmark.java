package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.RecordAccessTokenHandOutCommand;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.testsupport.BenchmarkEnvironment;
import dev.tokenbroker.testsupport.BenchmarkEnvironment.Mark;
import dev.tokenbroker.testsupport.BenchmarkEnvironment.Span;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Measurements for issue 11, not tests: excluded from the default build (tag {@code benchmark}). Run through
 * {@code benchmarks/scale/run.sh refresh-cost|append|growth}; lines starting with {@code BENCHMARK} are the results.
 * Nothing here asserts a time: the machine is shared, so every number comes with the load average and CPU time.
 */
@Tag("benchmark")
class ScaleBenchmark {

    private static final String INSERT = "INSERT INTO domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier, "
            + "timestamp, payloadtype, payloadrevision, payload, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    @TempDir
    Path directory;

    /**
     * One forced refresh (on-demand, {@code min_validity} above the token's lifetime, so every call refreshes) through
     * the {@link RefreshCoordinator} against the IdP simulation: lease, authoritative re-read (snapshot + tail),
     * IdP call, {@code RecordTokenRefreshCommand} (aggregate load: snapshot + tail), re-read. Streams of 10, 1,000
     * and 20,000 events; the long ones are built from a linked token set by batch-appending copies of a real
     * hand-out event row, then one more command so the aggregate loads the whole stream once and snapshots it.
     */
    @Test
    void refreshCostAgainstStreamLength() throws Exception {
        int[] lengths = Arrays.stream(System.getProperty("scale.refresh.lengths", "10,1000,20000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.getInteger("scale.refresh.rounds", 5);
        int perRound = Integer.getInteger("scale.refresh.perRound", 40);
        try (RefreshTestSetup setup = new RefreshTestSetup("scale_refresh", directory);
             BrokerInstance broker = setup.instance("a", RefreshTestSetup.fastSettings())) {
            setup.idp.latency(0);
            BenchmarkEnvironment env = BenchmarkEnvironment.of(broker.dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(broker.dataSource);
            BenchmarkEnvironment.report("refresh-cost machine: %s; load %s", BenchmarkEnvironment.machine(), BenchmarkEnvironment.loadAverage());
            for (int length : lengths) {
                TokenSetId id = broker.link("stream-" + length, setup.idp.issueGrant(), Instant.now().plusSeconds(3600));
                handOut(broker, id, "client-0", 1);
                long started = System.nanoTime();
                appendCopiesOf(broker, id, 1, 2, length - 2);
                handOut(broker, id, "client-1", 1); // loads the whole stream once; the snapshotter then snapshots it
                long events = jdbc.queryForObject("SELECT count(*) FROM domainevententry WHERE aggregateidentifier = ?", Long.class, id.toString());
                Long snapshotAt = jdbc.queryForObject("SELECT max(sequencenumber) FROM snapshotevententry WHERE aggregateidentifier = ?",
                        Long.class, id.toString());
                BenchmarkEnvironment.report("refresh-cost built stream of %d events (snapshot at sequence %s) in %.1fs",
                        events, snapshotAt, (System.nanoTime() - started) / 1e9);
            }
            // warm-up: JIT, connection pool, DEK cache
            for (int length : lengths) {
                TokenSetId id = TokenSetId.of("stream-" + length, BrokerInstance.CONNECTOR);
                for (int i = 0; i < 30; i++) {
                    forcedRefresh(broker, id);
                }
            }
            Map<Integer, List<Long>> wall = new HashMap<>();
            Map<Integer, List<Span>> spans = new HashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int length : lengths) {
                    TokenSetId id = TokenSetId.of("stream-" + length, BrokerInstance.CONNECTOR);
                    Mark start = env.mark();
                    for (int i = 0; i < perRound; i++) {
                        long t = System.nanoTime();
                        forcedRefresh(broker, id);
                        wall.computeIfAbsent(length, k -> new ArrayList<>()).add(System.nanoTime() - t);
                    }
                    spans.computeIfAbsent(length, k -> new ArrayList<>()).add(start.until(env.mark(), perRound));
                }
            }
            double baseP50 = 0;
            double baseCpu = 0;
            for (int length : lengths) {
                long[] sorted = wall.get(length).stream().mapToLong(Long::longValue).sorted().toArray();
                double p50 = sorted[sorted.length / 2] / 1e6;
                double p90 = sorted[(int) (sorted.length * 0.9)] / 1e6;
                double cpu = spans.get(length).stream().mapToDouble(Span::cpuMicrosPerUnit).sorted().toArray()[rounds / 2];
                if (baseP50 == 0) {
                    baseP50 = p50;
                    baseCpu = cpu;
                }
                long events = jdbc.queryForObject("SELECT count(*) FROM domainevententry WHERE aggregateidentifier = ?", Long.class,
                        TokenSetId.of("stream-" + length, BrokerInstance.CONNECTOR).toString());
                BenchmarkEnvironment.report("refresh-cost stream %6d events (now %d): wall p50 %.2fms p90 %.2fms (%.2fx of %d), "
                                + "CPU/refresh (JVM+PostgreSQL, median of %d rounds) %.0fus (%.2fx), n=%d",
                        length, events, p50, p90, p50 / baseP50, lengths[0], rounds, cpu, cpu / baseCpu, sorted.length);
            }
            for (int length : lengths) {
                BenchmarkEnvironment.report("refresh-cost stream %6d rounds: %s", length, spans.get(length));
            }
            BenchmarkEnvironment.report("refresh-cost load after: %s", BenchmarkEnvironment.loadAverage());
        }
    }

    private static void forcedRefresh(BrokerInstance broker, TokenSetId id) {
        RefreshResult result = broker.coordinator.refreshIfExpiringWithin(id, Duration.ofHours(2), Actor.apiClient("bench"));
        if (result.outcome() != RefreshOutcome.REFRESHED) {
            throw new IllegalStateException("expected a refresh, got " + result.outcome());
        }
    }

    private static void handOut(BrokerInstance broker, TokenSetId id, String client, long tokenVersion) {
        broker.commands.sendAndWait(new RecordAccessTokenHandOutCommand(id, client, tokenVersion, Actor.apiClient(client), "token fetch"));
    }

    /** Appends {@code count} copies of the stored event at {@code templateSequence}, from {@code firstSequence} on. */
    private static void appendCopiesOf(BrokerInstance broker, TokenSetId id, long templateSequence, long firstSequence, int count)
            throws Exception {
        Map<String, Object> row = new JdbcTemplate(broker.dataSource).queryForMap(
                "SELECT type, timestamp, payloadtype, payloadrevision, payload, metadata FROM domainevententry "
                        + "WHERE aggregateidentifier = ? AND sequencenumber = ?", id.toString(), templateSequence);
        try (Connection connection = broker.dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (int i = 0; i < count; i++) {
                    insert.setString(1, id.toString());
                    insert.setLong(2, firstSequence + i);
                    insert.setString(3, (String) row.get("type"));
                    insert.setString(4, UUID.randomUUID().toString());
                    insert.setString(5, (String) row.get("timestamp"));
                    insert.setString(6, (String) row.get("payloadtype"));
                    insert.setString(7, (String) row.get("payloadrevision"));
                    insert.setBytes(8, (byte[]) row.get("payload"));
                    insert.setBytes(9, (byte[]) row.get("metadata"));
                    insert.addBatch();
                    if (i % 1000 == 999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    /**
     * Appending events through Axon (unit of work + Spring transaction + {@code EmbeddedEventStore} + JDBC storage
     * engine, serializing with Jackson) against a raw JDBC batch insert of the same rows, pre-serialized. Batches of
     * 1 (one command appends one event) and 100, one transaction per batch. Interleaved rounds.
     */
    @Test
    void appendRateAgainstRawJdbc() throws Exception {
        int rounds = Integer.getInteger("scale.append.rounds", 4);
        try (RefreshTestSetup setup = new RefreshTestSetup("scale_append", directory);
             BrokerInstance broker = setup.instance("a", RefreshTestSetup.fastSettings())) {
            broker.axon.eventProcessingConfiguration().eventProcessors().values().forEach(EventProcessor::shutDown);
            BenchmarkEnvironment env = BenchmarkEnvironment.of(broker.dataSource);
            TransactionManager transactions = broker.axon.getComponent(TransactionManager.class);
            Serializer serializer = broker.axon.eventSerializer();
            BenchmarkEnvironment.report("append machine: %s; load %s", BenchmarkEnvironment.machine(), BenchmarkEnvironment.loadAverage());
            for (int batch : new int[] {1, 100}) {
                int events = batch == 1 ? Integer.getInteger("scale.append.singleEvents", 10_000) : Integer.getInteger("scale.append.batchEvents", 50_000);
                List<Span> axon = new ArrayList<>();
                List<Span> raw = new ArrayList<>();
                for (int round = -1; round < rounds; round++) { // round -1: warm-up
                    List<List<DomainEventMessage<?>>> batches = batches(events, batch);
                    Mark start = env.mark();
                    for (List<DomainEventMessage<?>> messages : batches) {
                        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
                        unitOfWork.attachTransaction(transactions);
                        unitOfWork.execute(() -> broker.axon.eventStore().publish(messages));
                    }
                    Span axonSpan = start.until(env.mark(), events);
                    List<List<Object[]>> rows = rows(batches(events, batch), serializer);
                    start = env.mark();
                    for (List<Object[]> rowBatch : rows) {
                        // like Axon: a connection from the pool and one transaction per batch
                        try (Connection connection = broker.dataSource.getConnection()) {
                            connection.setAutoCommit(false);
                            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                                for (Object[] row : rowBatch) {
                                    for (int c = 0; c < row.length; c++) {
                                        insert.setObject(c + 1, row[c]);
                                    }
                                    insert.addBatch();
                                }
                                insert.executeBatch();
                            }
                            connection.commit();
                            connection.setAutoCommit(true);
                        }
                    }
                    Span rawSpan = start.until(env.mark(), events);
                    if (round >= 0) {
                        axon.add(axonSpan);
                        raw.add(rawSpan);
                        BenchmarkEnvironment.report("append batch=%d round %d axon: %s", batch, round, axonSpan);
                        BenchmarkEnvironment.report("append batch=%d round %d raw:  %s", batch, round, rawSpan);
                    }
                }
                double axonRate = median(axon.stream().mapToDouble(Span::perSecond).toArray());
                double rawRate = median(raw.stream().mapToDouble(Span::perSecond).toArray());
                double axonCpu = median(axon.stream().mapToDouble(Span::perCpuSecond).toArray());
                double rawCpu = median(raw.stream().mapToDouble(Span::perCpuSecond).toArray());
                BenchmarkEnvironment.report("append batch=%d: Axon %.0f events/s vs raw JDBC %.0f/s = %.2fx wall; "
                                + "per CPU-second (JVM+PostgreSQL) %.0f vs %.0f = %.2fx; load %s",
                        batch, axonRate, rawRate, axonRate / rawRate, axonCpu, rawCpu, axonCpu / rawCpu, BenchmarkEnvironment.loadAverage());
            }
        }
    }

    private static List<List<DomainEventMessage<?>>> batches(int events, int batch) {
        List<List<DomainEventMessage<?>>> batches = new ArrayList<>();
        for (int b = 0; b < events / batch; b++) {
            TokenSetId id = TokenSetId.of("append-" + UUID.randomUUID(), "google");
            List<DomainEventMessage<?>> messages = new ArrayList<>();
            for (int s = 0; s < batch; s++) {
                String client = "backend-" + s;
                // the metadata a command-driven event carries (MessageOriginProvider)
                MetaData metaData = MetaData.with("traceId", UUID.randomUUID().toString()).and("correlationId", UUID.randomUUID().toString());
                messages.add(new GenericDomainEventMessage<>("TokenSet", id.toString(), s,
                        new AccessTokenHandedOut(id, client, 7, Actor.apiClient(client), "token fetch"), metaData));
            }
            batches.add(messages);
        }
        return batches;
    }

    private static List<List<Object[]>> rows(List<List<DomainEventMessage<?>>> batches, Serializer serializer) {
        List<List<Object[]>> rows = new ArrayList<>();
        for (List<DomainEventMessage<?>> messages : batches) {
            List<Object[]> batchRows = new ArrayList<>();
            for (DomainEventMessage<?> m : messages) {
                SerializedObject<byte[]> payload = m.serializePayload(serializer, byte[].class);
                SerializedObject<byte[]> metaData = m.serializeMetaData(serializer, byte[].class);
                batchRows.add(new Object[] {m.getAggregateIdentifier(), m.getSequenceNumber(), m.getType(), m.getIdentifier(),
                        m.getTimestamp().toString(), payload.getType().getName(), payload.getType().getRevision(), payload.getData(),
                        metaData.getData()});
            }
            rows.add(batchRows);
        }
        return rows;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Stored bytes per event, per event type, from a realistic run through commands and the coordinator (Tink
     * ciphertexts, the metadata commands carry): N token sets linked, each refreshed and handed out to one backend
     * 12 times (half a day of a Google connection). Plus the snapshot, schedule and data-key rows per token set.
     */
    @Test
    void storedBytesPerEvent() throws Exception {
        int tokenSets = Integer.getInteger("scale.growth.tokenSets", 50);
        int cycles = Integer.getInteger("scale.growth.cycles", 12);
        try (RefreshTestSetup setup = new RefreshTestSetup("scale_growth", directory);
             BrokerInstance broker = setup.instance("a", RefreshTestSetup.fastSettings())) {
            setup.idp.latency(0);
            JdbcTemplate jdbc = new JdbcTemplate(broker.dataSource);
            BenchmarkEnvironment.report("growth machine: %s; load %s", BenchmarkEnvironment.machine(), BenchmarkEnvironment.loadAverage());
            List<TokenSetId> ids = new ArrayList<>();
            for (int i = 0; i < tokenSets; i++) {
                ids.add(broker.link(String.format("user-%08d", i), setup.idp.issueGrant(), Instant.now().plusSeconds(3600)));
            }
            for (int c = 0; c < cycles; c++) {
                for (TokenSetId id : ids) {
                    RefreshResult result = broker.coordinator.refreshIfExpiringWithin(id, Duration.ofHours(2), Actor.apiClient("backend-orders"));
                    handOut(broker, id, "backend-orders", result.tokenVersion());
                }
            }
            jdbc.execute("VACUUM FULL ANALYZE snapshotevententry");
            jdbc.execute("VACUUM FULL ANALYZE refresh_schedule");
            jdbc.execute("VACUUM FULL ANALYZE domainevententry");
            jdbc.execute("VACUUM FULL ANALYZE token_set_data_key");
            jdbc.query("SELECT payloadtype, count(*), avg(pg_column_size(payload)), avg(pg_column_size(metadata)), avg(pg_column_size(t.*)) "
                    + "FROM domainevententry t GROUP BY payloadtype ORDER BY payloadtype", rs -> {
                BenchmarkEnvironment.report("growth event %-55s n=%6d payload %5.0f B, metadata %4.0f B, whole row (tuple data) %5.0f B",
                        rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5));
            });
            for (String table : List.of("domainevententry", "snapshotevententry", "refresh_schedule", "refresh_lease", "token_set_data_key")) {
                jdbc.query("SELECT count(*), pg_relation_size('" + table + "'), pg_indexes_size('" + table + "'), pg_total_relation_size('" + table + "'), "
                        + "coalesce(avg(pg_column_size(t.*)), 0) FROM " + table + " t", rs -> {
                    long rows = rs.getLong(1);
                    BenchmarkEnvironment.report("growth table %-20s rows %6d: heap %8d B, indexes %8d B, total %8d B = %.0f B/row total "
                                    + "(heap %.0f + indexes %.0f), tuple data %.0f B",
                            table, rows, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(4) / (double) Math.max(1, rows),
                            rs.getLong(2) / (double) Math.max(1, rows), rs.getLong(3) / (double) Math.max(1, rows), rs.getDouble(5));
                });
            }
            jdbc.query("SELECT avg(pg_column_size(payload)), avg(pg_column_size(metadata)) FROM snapshotevententry", rs -> {
                BenchmarkEnvironment.report("growth snapshot payload %.0f B, metadata %.0f B", rs.getDouble(1), rs.getDouble(2));
            });
        }
    }
}
