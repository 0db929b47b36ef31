package dev.tokenbroker.api.audit;

import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.testsupport.BenchmarkEnvironment;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventProcessor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Measures the audit API (issue 13's performance section) on synthetic data built in SQL from real stored events:
 * the NDJSON feed export from {@code audit.benchmark.events} stored events (rate, CPU per event of the JVM and of
 * PostgreSQL, heap after GC and RSS while it streams), {@code connections?at=} over
 * {@code audit.benchmark.token-sets} token sets, and the state of one token set with 20,000 events at random
 * instants (p50/p99 over HTTP and in-process, with the queries' plans). Not a test: it reports, it never asserts
 * times. {@code audit.benchmark.measure} picks the parts ({@code export,connections,state}, default all). One command:
 * {@code benchmarks/audit/run.sh}.
 */
@Tag("benchmark")
@BrokerApiTest
class AuditBenchmark {

    /** Per synthetic token set: a link, then refreshes and hand-outs (the mix of a token set in daily use). */
    private static final int EVENTS_PER_TOKEN_SET = 10;

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;
    @Autowired
    Configuration axon;
    @Autowired
    EventFeed feed;
    @Autowired
    TokenSetStates states;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    private final byte[] buffer = new byte[1 << 16];

    @Test
    void measure() throws Exception {
        Set<String> parts = Set.of(System.getProperty("audit.benchmark.measure", "export,connections,state").split(","));
        int events = Integer.getInteger("audit.benchmark.events", 1_000_000);
        int tokenSets = Integer.getInteger("audit.benchmark.token-sets", 100_000);
        BenchmarkEnvironment.report("machine: %s; JVM arguments %s", BenchmarkEnvironment.machine(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        AuditStory story = new AuditStory(port);
        String user = AuditStory.newUser("bench");
        story.link(user);
        story.handOut(user);
        // a refresh: the token endpoint refreshes when the token expires within min_validity (demo tokens live 1 h)
        story.api.get("/v1/users/" + user + "/connections/demo/token?min_validity=7200", story.backend);
        // the read-model processors would chew on the synthetic events meanwhile
        axon.eventProcessingConfiguration().eventProcessors().values().forEach(EventProcessor::shutDown);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        BenchmarkEnvironment environment = BenchmarkEnvironment.of(dataSource);

        if (parts.contains("export")) {
            insertEvents(jdbc, user, events);
            export(story, environment);
        }
        if (parts.contains("connections")) {
            insertHistory(jdbc, tokenSets);
            connectionsAt(story, environment);
        }
        if (parts.contains("state")) {
            stateAtAnInstant(story, jdbc, environment);
        }
    }

    /**
     * Copies of the benchmark user's stored link, hand-out and refresh, {@value #EVENTS_PER_TOKEN_SET} per token set
     * (link, then a refresh at every third sequence number and hand-outs between), one token set after the other, each
     * with its own token set id, user id and event id in the payload and columns: one INSERT ... SELECT per 100,000.
     */
    private void insertEvents(JdbcTemplate jdbc, String user, int events) {
        String template = TokenSetId.of(user, "demo").toString();
        jdbc.execute("DROP TABLE IF EXISTS bench_template");
        jdbc.update("CREATE TABLE bench_template AS SELECT DISTINCT ON (payloadtype) payloadtype, payloadrevision,"
                + " convert_from(payload, 'UTF8') AS payload FROM domainevententry WHERE aggregateidentifier = ?"
                + " ORDER BY payloadtype, sequencenumber", template);
        List<String> types = jdbc.queryForList("SELECT payloadtype FROM bench_template ORDER BY payloadtype", String.class);
        if (types.size() != 3) {
            throw new IllegalStateException("expected a link, a hand-out and a refresh to copy, got " + types);
        }
        // contiguous: each token set's events one after the other; interleaved: every token set's first event, then
        // every token set's second, ... (far more token sets between two events of one than the feed's caches hold)
        boolean interleaved = "interleaved".equals(System.getProperty("audit.benchmark.layout"));
        BenchmarkEnvironment.Mark start = BenchmarkEnvironment.of(dataSource).mark();
        List<long[]> batches = new ArrayList<>();
        for (int from = 0; from < (interleaved ? EVENTS_PER_TOKEN_SET : events); from += interleaved ? 1 : 100_000) {
            batches.add(interleaved ? new long[] {from, events - 1, EVENTS_PER_TOKEN_SET}
                    : new long[] {from, Math.min(events, from + 100_000) - 1, 1});
        }
        for (long[] batch : batches) {
            jdbc.update("INSERT INTO domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier,"
                    + " metadata, payload, payloadrevision, payloadtype, timestamp)"
                    + " SELECT md5('bench-set-' || n / 10)::uuid::text, n % 10, 'TokenSet', md5('bench-event-' || n)::uuid::text,"
                    + "  NULL, convert_to(replace(replace(t.payload, ?, md5('bench-set-' || n / 10)::uuid::text),"
                    + "  '\"' || ? || '\"', '\"bench-user-' || n / 10 || '\"'), 'UTF8'), t.payloadrevision, t.payloadtype,"
                    + "  to_char(timestamp '2026-01-01' + n * interval '7 ms', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                    + " FROM generate_series(?, ?, ?) n JOIN bench_template t ON t.payloadtype LIKE CASE"
                    + "  WHEN n % 10 = 0 THEN '%.TokenSetLinked' WHEN n % 10 % 3 = 0 THEN '%.TokenSetRefreshed'"
                    + "  ELSE '%.AccessTokenHandedOut' END ORDER BY n", template, user, batch[0], batch[1], batch[2]);
        }
        jdbc.execute("DROP TABLE bench_template");
        // their view rows, as the token-set-view projection (stopped here) writes them: the feed takes owners from there
        jdbc.update("INSERT INTO token_set_view (token_set_id, user_id, connector_id, status, granted_scopes,"
                + " data_key_version, token_version, refresh_token_version, linked_at, version, updated_at)"
                + " SELECT md5('bench-set-' || k)::uuid, 'bench-user-' || k, 'demo', 'ACTIVE', '{openid}', 1, 4, 4,"
                + "  timestamp '2026-01-01' + k * interval '7 ms', 9, now() FROM generate_series(0, ?) k"
                + " ON CONFLICT DO NOTHING", (events - 1) / 10);
        jdbc.execute("ANALYZE token_set_view");
        jdbc.execute("ANALYZE domainevententry");
        BenchmarkEnvironment.report("export data: inserted %s events (SQL), layout %s", start.until(
                BenchmarkEnvironment.of(dataSource).mark(), events), interleaved ? "interleaved" : "contiguous");
    }

    private void export(AuditStory story, BenchmarkEnvironment environment) throws Exception {
        // the export's own CPU on this thread into a discarding stream (the server side without HTTP), twice: the
        // first pass also warms the JIT
        for (int round = 1; round <= 2; round++) {
            inThreadExport(environment, round);
        }
        System.gc();
        MemoryUsage before = heapAfterGc();
        List<String> samples = new ArrayList<>();
        BenchmarkEnvironment.Mark start = environment.mark();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(story.api.base() + "/v1/audit/events"))
                .header("Authorization", "Bearer " + story.auditor).header("Accept", "application/x-ndjson").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long lines = 0;
        long bytes = 0;
        long nextSample = 100_000;
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
                if (lines >= nextSample) {
                    samples.add(String.format("%dk: heap after last GC %d MB, RSS %d MB", lines / 1000,
                            heapAfterGc().getUsed() >> 20, rssKb() >> 10));
                    nextSample += 250_000;
                }
            }
        }
        BenchmarkEnvironment.Span span = start.until(environment.mark(), lines);
        BenchmarkEnvironment.report("export over HTTP (NDJSON, status %d): %s; %.1f MB = %.0f bytes/event",
                response.statusCode(), span, bytes / 1e6, (double) bytes / Math.max(1, lines));
        BenchmarkEnvironment.report("export memory: heap after GC before %d MB (max %d MB); during: %s",
                before.getUsed() >> 20, Runtime.getRuntime().maxMemory() >> 20, String.join("; ", samples));
    }

    private void inThreadExport(BenchmarkEnvironment environment, int round) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] count = {0};
        IntegrationEventLines discard = new IntegrationEventLines(
                new BufferedOutputStream(OutputStream.nullOutputStream(), 64 * 1024));
        long threadCpu = threads.getCurrentThreadCpuTime();
        BenchmarkEnvironment.Mark start = environment.mark();
        feed.stream(0, feed.safeHorizon(), EventFeedFilter.none(), event -> {
            discard.write(event);
            count[0]++;
        });
        BenchmarkEnvironment.Span span = start.until(environment.mark(), count[0]);
        threadCpu = threads.getCurrentThreadCpuTime() - threadCpu;
        BenchmarkEnvironment.report("export in-thread round %d (no HTTP): streaming thread CPU %.2f us/event; %s", round,
                threadCpu / 1e3 / count[0], span);
    }

    /**
     * The history of {@code tokenSets} token sets (as the projection writes it: a link, refreshes and hand-outs,
     * {@value #EVENTS_PER_TOKEN_SET} rows each) and their view rows, in SQL.
     */
    private void insertHistory(JdbcTemplate jdbc, int tokenSets) {
        BenchmarkEnvironment.Mark start = BenchmarkEnvironment.of(dataSource).mark();
        for (int from = 0; from < tokenSets; from += 20_000) {
            int to = Math.min(tokenSets, from + 20_000) - 1;
            jdbc.update("INSERT INTO token_set_view (token_set_id, user_id, connector_id, status, granted_scopes,"
                    + " data_key_version, token_version, refresh_token_version, linked_at, version, updated_at)"
                    + " SELECT md5('bench-history-' || n)::uuid, 'bench-history-' || n, 'demo', 'ACTIVE', '{openid}', 1, 4, 4,"
                    + "  timestamptz '2026-01-01Z' + n * interval '1 s', 1, now() FROM generate_series(?, ?) n", from, to);
            jdbc.update("INSERT INTO token_set_history (token_set_id, sequence_number, event_id, event_type, occurred_at,"
                    + " actor_type, actor_id, cause, outcome, client_id, granted_scopes, access_token_expires_at, token_version,"
                    + " refresh_token_version, data_key_version, upstream_subject)"
                    + " SELECT md5('bench-history-' || n)::uuid, s, md5('bench-history-' || n || '-' || s)::uuid::text,"
                    + "  CASE WHEN s = 0 THEN 'TokenSetLinked' WHEN s % 3 = 0 THEN 'TokenSetRefreshed' ELSE 'AccessTokenHandedOut' END,"
                    + "  timestamptz '2026-01-01Z' + n * interval '1 s' + s * interval '10 min', 'SCHEDULER', 'scheduler',"
                    + "  'benchmark', CASE WHEN s = 0 THEN 'LINKED' WHEN s % 3 = 0 THEN 'REFRESHED' ELSE 'HANDED_OUT' END,"
                    + "  CASE WHEN s % 3 <> 0 THEN 'client-' || s % 3 END, CASE WHEN s % 3 = 0 THEN '{openid,repo}'::text[] END,"
                    + "  timestamptz '2026-01-01Z' + n * interval '1 s' + s * interval '10 min' + interval '1 h',"
                    + "  s / 3 + 1, CASE WHEN s % 3 = 0 THEN s / 3 + 1 END, CASE WHEN s = 0 THEN 1 END,"
                    + "  CASE WHEN s = 0 THEN 'sub-' || n END"
                    + " FROM generate_series(?, ?) n, generate_series(0, ?) s", from, to, EVENTS_PER_TOKEN_SET - 1);
        }
        jdbc.execute("ANALYZE token_set_view");
        jdbc.execute("ANALYZE token_set_history");
        BenchmarkEnvironment.report("connections data: inserted %s token sets with %d history rows each (SQL)",
                start.until(BenchmarkEnvironment.of(dataSource).mark(), tokenSets), EVENTS_PER_TOKEN_SET);
    }

    private void connectionsAt(AuditStory story, BenchmarkEnvironment environment) throws Exception {
        for (int round = 1; round <= 2; round++) {
            BenchmarkEnvironment.Mark start = environment.mark();
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(story.api.base()
                            + "/v1/audit/connections?at=" + Instant.now()))
                    .header("Authorization", "Bearer " + story.auditor).header("Accept", "application/x-ndjson").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long lines = countLines(response.body());
            BenchmarkEnvironment.report("connections?at= round %d (NDJSON, status %d), token sets: %s", round,
                    response.statusCode(), start.until(environment.mark(), lines));
        }
    }

    private void stateAtAnInstant(AuditStory story, JdbcTemplate jdbc, BenchmarkEnvironment environment) throws Exception {
        String longUser = "bench-long-" + System.nanoTime();
        String tokenSetId = TokenSetId.of(longUser, "demo").toString();
        Instant first = Instant.parse("2026-06-01T00:00:00Z");
        jdbc.update("INSERT INTO token_set_view (token_set_id, user_id, connector_id, status, granted_scopes,"
                + " data_key_version, token_version, refresh_token_version, linked_at, version, updated_at)"
                + " VALUES (?::uuid, ?, 'demo', 'ACTIVE', '{openid}', 1, 1, 1, ?::timestamptz, 1, now())",
                tokenSetId, longUser, first.toString());
        jdbc.update("INSERT INTO token_set_history (token_set_id, sequence_number, event_id, event_type, occurred_at,"
                + " actor_type, actor_id, cause, outcome, client_id, granted_scopes, access_token_expires_at, token_version,"
                + " refresh_token_version, data_key_version, upstream_subject)"
                + " SELECT ?::uuid, s, md5('bench-long-' || s)::uuid::text,"
                + "  CASE WHEN s = 0 THEN 'TokenSetLinked' WHEN s % 3 = 0 THEN 'TokenSetRefreshed' ELSE 'AccessTokenHandedOut' END,"
                + "  ?::timestamptz + s * interval '1 s', 'SCHEDULER', 'scheduler', 'benchmark',"
                + "  CASE WHEN s = 0 THEN 'LINKED' WHEN s % 3 = 0 THEN 'REFRESHED' ELSE 'HANDED_OUT' END,"
                + "  CASE WHEN s % 3 <> 0 THEN 'client-' || s % 3 END, CASE WHEN s % 3 = 0 THEN '{openid}'::text[] END,"
                + "  ?::timestamptz + s * interval '1 s' + interval '1 h', s / 3 + 1, CASE WHEN s % 3 = 0 THEN s / 3 + 1 END,"
                + "  CASE WHEN s = 0 THEN 1 END, CASE WHEN s = 0 THEN 'sub' END FROM generate_series(0, 19999) s",
                tokenSetId, first.toString(), first.toString());
        jdbc.execute("ANALYZE token_set_history");
        for (String plan : states.explain(longUser, "demo", first.plusSeconds(12_345))) {
            BenchmarkEnvironment.report("state plan: %s", plan);
        }
        int requests = Integer.getInteger("audit.benchmark.state-requests", 2_000);
        SplittableRandom random = new SplittableRandom(13);
        // in-process (the two queries and the fold), then over HTTP; 300 warm-up requests each
        List<Long> inProcess = new ArrayList<>();
        BenchmarkEnvironment.Mark start = null;
        for (int i = -300; i < requests; i++) {
            if (i == 0) {
                start = environment.mark();
            }
            Instant at = first.plusMillis(random.nextLong(20_000_000));
            long t = System.nanoTime();
            states.at(longUser, "demo", at).orElseThrow();
            if (i >= 0) {
                inProcess.add(System.nanoTime() - t);
            }
        }
        BenchmarkEnvironment.report("state at an instant in-process, 20,000 events: %s; %s", percentiles(inProcess),
                start.until(environment.mark(), requests));
        List<Long> overHttp = new ArrayList<>();
        for (int i = -300; i < requests; i++) {
            if (i == 0) {
                start = environment.mark();
            }
            Instant at = first.plusMillis(random.nextLong(20_000_000));
            long t = System.nanoTime();
            HttpResponse<String> r = story.audit("/v1/audit/users/" + longUser + "/connections/demo?at=" + at);
            if (r.statusCode() != 200) {
                throw new AssertionError(r.body());
            }
            if (i >= 0) {
                overHttp.add(System.nanoTime() - t);
            }
        }
        BenchmarkEnvironment.report("state at an instant over HTTP, 20,000 events: %s; %s", percentiles(overHttp),
                start.until(environment.mark(), requests));
    }

    private static String percentiles(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (%d requests)",
                sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.9)) / 1e6,
                sorted.get((int) (sorted.size() * 0.99)) / 1e6, sorted.get(sorted.size() - 1) / 1e6, sorted.size());
    }

    private long countLines(InputStream body) throws Exception {
        long lines = 0;
        try (InputStream in = body) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    /** The heap's use after the last collection, summed over the heap pools that report it. */
    private static MemoryUsage heapAfterGc() {
        long used = 0;
        long committed = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
                committed += pool.getCollectionUsage().getCommitted();
            }
        }
        return new MemoryUsage(0, used, committed, -1);
    }

    private static long rssKb() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
        } catch (Exception e) {
            return 0;
        }
    }
}
