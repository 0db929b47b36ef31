package dev.tokenbroker.api.audit;

import dev.tokenbroker.api.BrokerApiTest;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventProcessor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Measures the audit API on synthetic data (real serialized payloads copied from a demo link and hand-out):
 * the NDJSON feed export rate, {@code connections?at=} over many token sets, and the state of one token set
 * with 20,000 events at random instants (p50/p99). Not a test; run with
 * {@code ./mvnw -B -o -pl broker-api -am test -Dtest=AuditBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbroker.test.excludedGroups=none -Dgroups=benchmark -Daudit.benchmark.events=1000000}.
 */
@Tag("benchmark")
@BrokerApiTest
class AuditBenchmark {

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;
    @Autowired
    Configuration axon;
    @Autowired
    EventFeed feed;

    @Test
    void measure() throws Exception {
        int events = Integer.getInteger("audit.benchmark.events", 200_000);
        int tokenSets = Integer.getInteger("audit.benchmark.token-sets", 100_000);
        AuditStory story = new AuditStory(port);
        String user = AuditStory.newUser("bench");
        story.link(user);
        story.handOut(user);
        // the read-model processors would chew on the synthetic events meanwhile
        axon.eventProcessingConfiguration().eventProcessors().values().forEach(EventProcessor::shutDown);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        List<Map<String, Object>> samples = jdbc.queryForList("SELECT payload, payloadtype, payloadrevision"
                + " FROM domainevententry WHERE aggregateidentifier = (SELECT aggregateidentifier FROM domainevententry"
                + " ORDER BY globalindex DESC LIMIT 1) ORDER BY sequencenumber");
        Map<String, Object> link = samples.get(0);
        Map<String, Object> handOut = samples.get(samples.size() - 1);

        long start = System.nanoTime();
        String old = DateTimeUtils.formatInstant(Instant.now().minusSeconds(3600));
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO domainevententry (aggregateidentifier,"
                     + " sequencenumber, type, eventidentifier, metadata, payload, payloadrevision, payloadtype, timestamp)"
                     + " VALUES (?, ?, 'TokenSet', ?, NULL, ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            String aggregate = null;
            for (int i = 0; i < events; i++) {
                int seq = i % 10;
                if (seq == 0) {
                    aggregate = UUID.randomUUID().toString();
                }
                Map<String, Object> sample = seq == 0 ? link : handOut;
                insert.setString(1, aggregate);
                insert.setLong(2, seq);
                insert.setString(3, UUID.randomUUID().toString());
                insert.setBytes(4, (byte[]) sample.get("payload"));
                insert.setString(5, (String) sample.get("payloadrevision"));
                insert.setString(6, (String) sample.get("payloadtype"));
                insert.setString(7, old);
                insert.addBatch();
                if (i % 5_000 == 4_999) {
                    insert.executeBatch();
                    c.commit();
                }
            }
            insert.executeBatch();
            c.commit();
        }
        System.out.printf("AUDIT-BENCH inserted %d events in %.1f s%n", events, (System.nanoTime() - start) / 1e9);

        HttpClient http = HttpClient.newHttpClient();
        Runtime runtime = Runtime.getRuntime();
        System.out.printf("AUDIT-BENCH max heap %d MB, %s%n", runtime.maxMemory() >> 20,
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        // the export's own CPU, on this thread (the machine is shared: wall time is not ours alone)
        inThreadExport();
        System.gc();
        long heapBefore = runtime.totalMemory() - runtime.freeMemory();
        long processCpu = processCpuNanos();
        start = System.nanoTime();
        HttpResponse<InputStream> export = http.send(HttpRequest.newBuilder(URI.create(story.api.base() + "/v1/audit/events"))
                .header("Authorization", "Bearer " + story.auditor).header("Accept", "application/x-ndjson").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long lines = 0;
        long bytes = 0;
        long maxHeap = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = export.body()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                        if (lines % 100_000 == 0) {
                            maxHeap = Math.max(maxHeap, runtime.totalMemory() - runtime.freeMemory());
                        }
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        processCpu = processCpuNanos() - processCpu;
        System.out.printf("AUDIT-BENCH export: %d events, %.1f MB in %.2f s = %.0f events/s;"
                        + " JVM CPU (server + client + GC) %.1f s = %.1f us/event; heap before %d MB, max sampled %d MB%n",
                lines, bytes / 1e6, seconds, lines / seconds, processCpu / 1e9, processCpu / 1e3 / lines,
                heapBefore >> 20, maxHeap >> 20);

        // connections?at= over many token sets: history + view rows
        start = System.nanoTime();
        Timestamp t0 = Timestamp.from(Instant.now().minusSeconds(7200));
        try (Connection c = dataSource.getConnection();
             PreparedStatement view = c.prepareStatement("INSERT INTO token_set_view (token_set_id, user_id, connector_id,"
                     + " status, granted_scopes, data_key_version, token_version, refresh_token_version, linked_at, version,"
                     + " updated_at) VALUES (?, ?, 'demo', 'ACTIVE', '{openid}', 1, 1, 1, ?, 1, ?)");
             PreparedStatement history = c.prepareStatement("INSERT INTO token_set_history (token_set_id, sequence_number,"
                     + " event_id, event_type, occurred_at, actor_type, actor_id, cause, outcome, client_id, granted_scopes,"
                     + " access_token_expires_at, token_version, refresh_token_version, data_key_version, upstream_subject)"
                     + " VALUES (?, ?, ?, ?, ?, 'SCHEDULER', 'scheduler', 'benchmark', ?, ?, '{openid}', ?, ?, 1, 1, 'sub')")) {
            c.setAutoCommit(false);
            for (int i = 0; i < tokenSets; i++) {
                UUID id = UUID.randomUUID();
                view.setObject(1, id);
                view.setString(2, "bench-user-" + i);
                view.setTimestamp(3, t0);
                view.setTimestamp(4, t0);
                view.addBatch();
                for (int seq = 0; seq < 2; seq++) {
                    addHistory(history, id, seq, seq == 0 ? "TokenSetLinked" : "AccessTokenHandedOut", t0);
                }
                if (i % 2_000 == 1_999) {
                    view.executeBatch();
                    history.executeBatch();
                    c.commit();
                }
            }
            view.executeBatch();
            history.executeBatch();
            c.commit();
        }
        System.out.printf("AUDIT-BENCH inserted %d token sets in %.1f s%n", tokenSets, (System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        HttpResponse<InputStream> all = http.send(HttpRequest.newBuilder(URI.create(story.api.base()
                        + "/v1/audit/connections?at=" + Instant.now()))
                .header("Authorization", "Bearer " + story.auditor).header("Accept", "application/x-ndjson").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        lines = 0;
        try (InputStream in = all.body()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("AUDIT-BENCH connections?at=: %d token sets in %.2f s = %.0f token sets/s%n", lines, seconds,
                lines / seconds);

        // one token set with 20,000 events
        String longUser = "bench-long-" + System.nanoTime();
        UUID longId = dev.tokenbroker.core.api.TokenSetId.of(longUser, "demo").value();
        Instant first = Instant.now().minusSeconds(20_000);
        try (Connection c = dataSource.getConnection();
             PreparedStatement view = c.prepareStatement("INSERT INTO token_set_view (token_set_id, user_id, connector_id,"
                     + " status, granted_scopes, data_key_version, token_version, refresh_token_version, linked_at, version,"
                     + " updated_at) VALUES (?, ?, 'demo', 'ACTIVE', '{openid}', 1, 1, 1, ?, 1, ?)");
             PreparedStatement history = c.prepareStatement("INSERT INTO token_set_history (token_set_id, sequence_number,"
                     + " event_id, event_type, occurred_at, actor_type, actor_id, cause, outcome, client_id, granted_scopes,"
                     + " access_token_expires_at, token_version, refresh_token_version, data_key_version, upstream_subject)"
                     + " VALUES (?, ?, ?, ?, ?, 'SCHEDULER', 'scheduler', 'benchmark', ?, ?, '{openid}', ?, ?, 1, 1, 'sub')")) {
            c.setAutoCommit(false);
            view.setObject(1, longId);
            view.setString(2, longUser);
            view.setTimestamp(3, Timestamp.from(first));
            view.setTimestamp(4, Timestamp.from(first));
            view.executeUpdate();
            for (int seq = 0; seq < 20_000; seq++) {
                String type = seq == 0 ? "TokenSetLinked" : seq % 3 == 0 ? "TokenSetRefreshed" : "AccessTokenHandedOut";
                addHistory(history, longId, seq, type, Timestamp.from(first.plusSeconds(seq)));
            }
            history.executeBatch();
            c.commit();
        }
        jdbc.execute("ANALYZE token_set_history");
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            Instant at = first.plusSeconds(ThreadLocalRandom.current().nextInt(20_000));
            long t = System.nanoTime();
            HttpResponse<String> r = story.audit("/v1/audit/users/" + longUser + "/connections/demo?at=" + at);
            if (r.statusCode() != 200) {
                throw new AssertionError(r.body());
            }
            if (i >= 200) {
                nanos.add(System.nanoTime() - t);
            }
        }
        Collections.sort(nanos);
        System.out.printf("AUDIT-BENCH state at an instant, 20,000 events: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d requests over HTTP)%n",
                nanos.get(nanos.size() / 2) / 1e6, nanos.get((int) (nanos.size() * 0.99)) / 1e6,
                nanos.get(nanos.size() - 1) / 1e6, nanos.size());
    }

    /** The export on this thread into a discarding stream: its CPU time per event and its wall rate. */
    private void inThreadExport() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] count = {0};
        OutputStream discard = new BufferedOutputStream(OutputStream.nullOutputStream(), 64 * 1024);
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        feed.stream(0, feed.safeHorizon(), EventFeedFilter.none(), event -> {
            AuditFeedController.writeLine(discard, event);
            count[0]++;
        });
        cpu = threads.getCurrentThreadCpuTime() - cpu;
        wall = System.nanoTime() - wall;
        System.out.printf("AUDIT-BENCH export in-thread (no HTTP): %d events, thread CPU %.1f s = %.1f us/event"
                        + " (= %.0f events/s per core), wall %.1f s = %.0f events/s%n", count[0], cpu / 1e9,
                cpu / 1e3 / count[0], count[0] / (cpu / 1e9), wall / 1e9, count[0] / (wall / 1e9));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void addHistory(PreparedStatement history, UUID id, int seq, String type, Timestamp at)
            throws Exception {
        history.setObject(1, id);
        history.setLong(2, seq);
        history.setString(3, UUID.randomUUID().toString());
        history.setString(4, type);
        history.setTimestamp(5, at);
        history.setString(6, type.equals("TokenSetLinked") ? "LINKED" : type.equals("TokenSetRefreshed") ? "REFRESHED" : "HANDED_OUT");
        history.setString(7, type.equals("AccessTokenHandedOut") ? "client-" + seq % 3 : null);
        history.setTimestamp(8, Timestamp.from(at.toInstant().plusSeconds(3600)));
        history.setLong(9, seq / 3 + 1);
        history.addBatch();
    }
}
