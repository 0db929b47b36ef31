package dev.tokenbroker.projections;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.LocalKeysetFile;
import dev.tokenbroker.core.crypto.TinkTokenCipher;
import dev.tokenbroker.testsupport.BenchmarkEnvironment;
import dev.tokenbroker.testsupport.TestDatabase;
import dev.tokenbroker.testsupport.BenchmarkEnvironment.Mark;
import dev.tokenbroker.testsupport.BenchmarkEnvironment.Span;

/**
 * Replay of all read models from a large event store, a measurement for issue 11 (tag {@code benchmark}, excluded
 * from the default build; run {@code benchmarks/scale/run.sh replay}).
 *
 * <p>One Google-like token set (link, then 12 times refresh + one hand-out; Tink ciphertexts of tokens as long as
 * Google's) is published once through the event store, its 25 stored rows are the template. The template is copied
 * with JDBC batch inserts for {@code replay.benchmark.events / 25} token sets (new user id and token-set id in the
 * payload, new event ids), 400 token sets interleaved per block as concurrent users would be. Then: a raw
 * {@code SELECT} of every column of every row in global order (the floor), and a rebuild of both read models
 * ({@link ReadModelRebuild#rebuildAll}: the bulk rebuild, then the processors resume from its position) until
 * caught up, with progress printed every 5 seconds. Stored sizes per
 * row of events and read models are printed too (docs/event-store-growth.md).
 */
@Tag("benchmark")
class ReplayBenchmark {

    private static final String INSERT = "INSERT INTO domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier, "
            + "timestamp, payloadtype, payloadrevision, payload, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String TEMPLATE_USER = "u-000000000";
    private static final int BLOCK = 400;

    @TempDir
    Path directory;

    @Test
    void replayAllReadModels() throws Exception {
        int events = Integer.getInteger("replay.benchmark.events", 1_000_000);
        KeyEncryptionKey kek = new LocalKeysetFile(directory.resolve("kek.json")).generate();
        try (ProjectionsHarness harness = ProjectionsHarness.start("replay_benchmark", TinkTokenCipher.class,
                dataSource -> new TinkTokenCipher(new DataKeyStore(dataSource, kek), DataKeyCache.withDefaults()))) {
            DataSource dataSource = harness.bean(DataSource.class);
            JdbcTemplate jdbc = harness.jdbc();
            BenchmarkEnvironment env = BenchmarkEnvironment.of(dataSource);
            BenchmarkEnvironment.report("replay machine: %s; load %s", BenchmarkEnvironment.machine(), BenchmarkEnvironment.loadAverage());

            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            TokenSetStory story = harness.story(TEMPLATE_USER, "google", t0)
                    .link(token("ya29.", 220), token("1//0", 99), t0.plusSeconds(3600), Set.of("openid", "email", "profile"));
            for (int i = 1; i <= 12; i++) {
                story.refresh(token("ya29.", 220), null, t0.plusSeconds(3600L * (i + 1))).handOut("backend-orders");
            }
            harness.awaitApplied(story);
            List<Map<String, Object>> template = jdbc.queryForList("SELECT type, timestamp, payloadtype, payloadrevision, payload, metadata "
                    + "FROM domainevententry WHERE aggregateidentifier = ? ORDER BY sequencenumber", story.tokenSetId().toString());
            String templateId = story.tokenSetId().toString();

            Configuration axon = harness.bean(Configuration.class);
            List<StreamingEventProcessor> processors = ReadModelRebuild.PROCESSING_GROUPS.stream()
                    .map(group -> axon.eventProcessingConfiguration().eventProcessor(group, StreamingEventProcessor.class).orElseThrow())
                    .toList();
            processors.forEach(StreamingEventProcessor::shutDown);

            int tokenSets = events / template.size();
            Mark insertStart = env.mark();
            TestDatabase database = harness.bean(TestDatabase.class);
            String url = database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
            try (Connection connection = DriverManager.getConnection(url, database.username(), database.password())) {
                connection.setAutoCommit(false);
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    for (int block = 0; block * BLOCK < tokenSets; block++) {
                        int first = block * BLOCK;
                        int last = Math.min(tokenSets, first + BLOCK);
                        List<String> ids = new ArrayList<>();
                        List<String> users = new ArrayList<>();
                        for (int n = first; n < last; n++) {
                            String user = String.format("u-%09d", n + 1);
                            users.add(user);
                            ids.add(TokenSetId.of(user, "google").toString());
                        }
                        for (int seq = 0; seq < template.size(); seq++) {
                            Map<String, Object> row = template.get(seq);
                            String payload = new String((byte[]) row.get("payload"), StandardCharsets.UTF_8);
                            for (int k = 0; k < ids.size(); k++) {
                                insert.setString(1, ids.get(k));
                                insert.setLong(2, seq);
                                insert.setString(3, (String) row.get("type"));
                                insert.setString(4, UUID.randomUUID().toString());
                                insert.setString(5, (String) row.get("timestamp"));
                                insert.setString(6, (String) row.get("payloadtype"));
                                insert.setString(7, (String) row.get("payloadrevision"));
                                insert.setBytes(8, payload.replace(templateId, ids.get(k)).replace(TEMPLATE_USER, users.get(k))
                                        .getBytes(StandardCharsets.UTF_8));
                                insert.setBytes(9, (byte[]) row.get("metadata"));
                                insert.addBatch();
                            }
                            insert.executeBatch();
                        }
                        connection.commit();
                        if (block % 25 == 0) {
                            BenchmarkEnvironment.report("replay progress: inserted %d of %d events", last * template.size(), events);
                        }
                    }
                }
            }
            long stored = jdbc.queryForObject("SELECT count(*) FROM domainevententry", Long.class);
            BenchmarkEnvironment.report("replay inserted: %s", insertStart.until(env.mark(), stored - template.size()));
            jdbc.execute("VACUUM ANALYZE domainevententry");

            // The floor: every column of every row, in global order, as the processors read them.
            List<Span> scans = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Mark scanStart = env.mark();
                long rows = 0;
                long bytes = 0;
                try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(false);
                    try (Statement select = connection.createStatement()) {
                        select.setFetchSize(10_000);
                        try (ResultSet rs = select.executeQuery("SELECT globalindex, type, aggregateidentifier, sequencenumber, eventidentifier, "
                                + "timestamp, payloadtype, payloadrevision, payload, metadata FROM domainevententry ORDER BY globalindex")) {
                            while (rs.next()) {
                                rows++;
                                rs.getLong(1);
                                rs.getString(2);
                                rs.getString(3);
                                rs.getLong(4);
                                rs.getString(5);
                                rs.getString(6);
                                rs.getString(7);
                                rs.getString(8);
                                bytes += rs.getBytes(9).length;
                                byte[] metadata = rs.getBytes(10);
                                bytes += metadata == null ? 0 : metadata.length;
                            }
                        }
                    }
                    connection.commit();
                }
                Span scan = scanStart.until(env.mark(), rows);
                scans.add(scan);
                BenchmarkEnvironment.report("replay raw SELECT scan %d (%d MB of payload+metadata): %s", i, bytes >> 20, scan);
            }
            Span scan = scans.get(1);

            ReadModelRebuild rebuild = harness.bean(ReadModelRebuild.class);
            Mark replayStart = env.mark();
            rebuild.rebuildAll();
            long lastPrint = System.nanoTime();
            while (!rebuild.isCaughtUp()) {
                Thread.sleep(200);
                if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                    lastPrint = System.nanoTime();
                    ReadModelRebuild.Progress progress = rebuild.progress();
                    BenchmarkEnvironment.report("replay progress after %.0fs: %d of %d events (%.0f%%), %.0f events/s; load %s",
                            (System.nanoTime() - replayStart.wallNanos()) / 1e9, progress.processed(), progress.total(),
                            progress.fraction() * 100, progress.eventsPerSecond(), BenchmarkEnvironment.loadAverage());
                }
            }
            Span replay = replayStart.until(env.mark(), stored);
            long viewRows = jdbc.queryForObject("SELECT count(*) FROM token_set_view", Long.class);
            long historyRows = jdbc.queryForObject("SELECT count(*) FROM token_set_history", Long.class);
            BenchmarkEnvironment.report("replay (bulk rebuild, then the processors from the scanned position) of both read models"
                            + " (%d token_set_view rows, %d token_set_history rows): %s", viewRows, historyRows, replay);
            BenchmarkEnvironment.report("replay result: %.0f events/s (target >= 50,000/s) = %.2fx the raw SELECT scan's %.0f rows/s (target >= 0.3x); "
                            + "per CPU-second %.0f vs %.0f (%.3fx)",
                    replay.perSecond(), replay.perSecond() / scan.perSecond(), scan.perSecond(),
                    replay.perCpuSecond(), scan.perCpuSecond(), replay.perCpuSecond() / scan.perCpuSecond());

            sizes(jdbc, stored);
        }
    }

    /** Stored bytes per row of the event store, the read models and the API's hand-out dedupe table. */
    private static void sizes(JdbcTemplate jdbc, long events) throws Exception {
        // token_hand_out lives in broker-api's schema: create it from its migration, one row per hand-out event
        Path handOuts = Path.of("../broker-api/src/main/resources/db/migration/V42__token_hand_outs.sql");
        if (Files.exists(handOuts)) {
            jdbc.execute(Files.readString(handOuts));
            jdbc.update("INSERT INTO token_hand_out (client_id, token_set_id, token_version, handed_out_at) "
                    + "SELECT 'backend-orders', token_set_id, token_version, occurred_at FROM token_set_history WHERE event_type = ?",
                    jdbc.queryForObject("SELECT event_type FROM token_set_history WHERE client_id IS NOT NULL LIMIT 1", String.class));
        }
        for (String table : List.of("domainevententry", "token_set_view", "token_set_history", "token_hand_out")) {
            jdbc.execute("VACUUM ANALYZE " + table);
            jdbc.query("SELECT count(*), pg_relation_size('" + table + "'), pg_indexes_size('" + table + "'), pg_total_relation_size('" + table + "'), "
                    + "coalesce(avg(pg_column_size(t.*)), 0) FROM " + table + " t", rs -> {
                long rows = rs.getLong(1);
                BenchmarkEnvironment.report("replay size %-18s rows %8d: total %6d MB = %.0f B/row (heap+TOAST %.0f, indexes %.0f), tuple data %.0f B",
                        table, rows, rs.getLong(4) >> 20, rs.getLong(4) / (double) Math.max(1, rows),
                        (rs.getLong(4) - rs.getLong(3)) / (double) Math.max(1, rows), rs.getLong(3) / (double) Math.max(1, rows), rs.getDouble(5));
            });
        }
        jdbc.query("SELECT payloadtype, count(*), avg(pg_column_size(payload)), avg(pg_column_size(metadata)) FROM domainevententry GROUP BY payloadtype", rs -> {
            BenchmarkEnvironment.report("replay size event %-50s n=%8d payload %5.0f B, metadata %4.0f B",
                    rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4));
        });
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token value of the given length, as the IdP would issue (random URL-safe characters after a prefix). */
    private static String token(String prefix, int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        StringBuilder token = new StringBuilder(prefix);
        while (token.length() < length) {
            token.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return token.toString();
    }
}
