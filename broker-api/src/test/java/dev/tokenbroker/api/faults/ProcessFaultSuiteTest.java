package dev.tokenbroker.api.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbroker.core.api.TokenSetId;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Process-level faults: real broker processes ({@code java -jar target/token-broker.jar}) on one real
 * PostgreSQL, against a rotating IdP that revokes the grant on reuse. Each scenario asserts its outcome and
 * writes its row to {@code RELIABILITY.md}. Not part of the default run: {@code scripts/fault-suite.sh}.
 */
@Tag("faults")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessFaultSuiteTest {

    static final String BACKEND_SECRET = "fault-backend-secret-0123456789";
    static final String APP_SECRET = "fault-app-secret-0123456789abc";
    static final String ADMIN_SECRET = "fault-admin-secret-0123456789ab";
    static final Duration START_TIMEOUT = Duration.ofMinutes(8);
    /**
     * The bound on any answer, in milliseconds: an on-demand caller waits at most {@code on-demand-wait-timeout} (5 s)
     * for another refresh, an IdP call at most its read timeout (5 s), a database touch at most Hikari's connection
     * timeout (5 s) — plus headroom for a loaded machine.
     */
    static final long MAX_ANSWER_MILLIS = 15_000;

    final ObjectMapper json = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    final List<AutoCloseable> resources = new ArrayList<>();
    Path work;
    RestartablePostgres postgres;
    RotatingIdpServer idp;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    void infrastructure(String scenario) throws Exception {
        work = Path.of("target", "faults", scenario).toAbsolutePath();
        Files.createDirectories(work);
        postgres = new RestartablePostgres(work.resolve("pg"));
        resources.add(postgres);
        idp = new RotatingIdpServer();
        resources.add(idp);
    }

    BrokerProcess broker(String name, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=" + postgres.jdbcUrl(),
                "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                "--broker.crypto.kek.generate-into=" + work.resolve("kek"),
                "--broker.demo.enabled=false",
                "--broker.clients.fault-backend.secret=" + BACKEND_SECRET,
                "--broker.clients.fault-backend.scopes=tokens:read",
                "--broker.clients.fault-backend.allowed-connectors=sim",
                "--broker.clients.fault-app.secret=" + APP_SECRET,
                "--broker.clients.fault-app.scopes=connections:write",
                "--broker.clients.fault-app.allowed-connectors=sim",
                "--broker.clients.fault-app.allowed-return-urls=https://app.example/linked",
                "--broker.clients.fault-admin.secret=" + ADMIN_SECRET,
                "--broker.clients.fault-admin.scopes=admin",
                "--broker.connectors.sim.type=oauth2",
                "--broker.connectors.sim.authorization-uri=" + idp.base() + "/authorize",
                // per instance, so the IdP knows which instance each rotation was answered to
                "--broker.connectors.sim.token-uri=" + idp.base() + "/token/" + name,
                "--broker.connectors.sim.userinfo-uri=" + idp.base() + "/userinfo",
                "--broker.connectors.sim.userinfo-subject-claim=id",
                "--broker.connectors.sim.client-id=broker",
                "--broker.connectors.sim.client-secret=sim-secret",
                "--broker.connectors.sim.scopes=read",
                "--broker.connectors.sim.read-timeout=5s",
                "--broker.refresh.lead-time=30s", "--broker.refresh.jitter=5s",
                "--broker.refresh.backoff-base=2s", "--broker.refresh.backoff-cap=10s",
                "--broker.refresh.on-demand-wait-timeout=5s",
                "--logging.level.root=WARN"));
        args.addAll(List.of(extra));
        BrokerProcess broker = new BrokerProcess(name, args, work);
        resources.add(broker);
        broker.start();
        return broker;
    }

    // ------------------------------------------------------------------ scenario a

    @Test
    @Order(1)
    void killNineOfOneOfTwoInstancesDuringARefreshStorm() throws Exception {
        infrastructure("kill9");
        String load = load();
        idp.accessTokenSeconds = 40;
        BrokerProcess a = broker("a", "--broker.refresh.lease-duration=20s");
        a.awaitUp(START_TIMEOUT);
        BrokerProcess b = broker("b", "--broker.refresh.lease-duration=20s");
        b.awaitUp(START_TIMEOUT);
        List<String> users = link(a, 24);
        String tokenA = apiToken(a, "fault-backend", BACKEND_SECRET);
        String tokenB = apiToken(b, "fault-backend", BACKEND_SECRET);

        Storm storm = new Storm(users, Map.of(a, tokenA, b, tokenB));
        int rotationsAtStart = idp.answeredRotations.get();
        storm.start(6);
        // Kill while refreshes are in full swing: a dozen rotations answered by the IdP since the storm began.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> idp.answeredRotations.get() >= rotationsAtStart + 12);
        long killedAt = System.nanoTime();
        a.kill9();
        storm.stopSending(a);
        // The survivor must keep serving past the dead instance's lease duration (20 s), when its leases expire.
        storm.awaitOkAfter(killedAt + Duration.ofSeconds(20).toNanos(), Duration.ofMinutes(2));
        storm.stop();

        // Settle: leases of the dead instance expire (20 s); the survivor resolves what was in doubt.
        long recoveredAt = awaitSettled(b, tokenB, users, Duration.ofSeconds(120));
        Map<String, Integer> statuses = statusesByUser();
        int lost = countReason("refresh_result_lost");
        String survivorProblems = storm.unexpectedAnswers(b);

        String row = row("kill -9 of one of two instances during on-demand + scheduled refreshes",
                load, storm, "b: " + storm.byStatus(b) + ", max latency " + storm.maxLatencyMillis("instance:b") + " ms; a (until killed): "
                        + storm.byStatus(a),
                lost + " (refresh_result_lost; IdP saw " + idp.inDoubtRetries.get() + " in-doubt retries)",
                idp.reuses.get(), Duration.ofNanos(recoveredAt - killedAt));
        record("kill9", row);
        Map<String, String> lostBySubject = reauthorizationsBySubject();
        Files.writeString(work.resolve("diagnostics.txt"), "statuses " + statuses
                + "\nreauthorizations by upstream subject " + lostBySubject
                + "\nIdP in-doubt retries by subject (instance the lost rotation was answered to) " + idp.inDoubtRetriesBySubject
                + "\nIdP reuses by subject " + idp.reusedSubjects
                + "\nreasons " + reasons() + "\nunexpected answers of b:\n" + survivorProblems + "\n");

        assertThat(idp.reuses.get()).as("refresh-token reuse other than an in-doubt retry").isZero();
        assertThat(survivorProblems).as("answers of the surviving instance other than 200/409/503+Retry-After").isEmpty();
        assertThat(storm.maxLatencyMillis("instance:b")).as("slowest answer of the surviving instance (ms)")
                .isLessThan(MAX_ANSWER_MILLIS);
        assertThat(statuses.keySet()).as("token set statuses").isSubsetOf("ACTIVE", "REAUTHORIZATION_REQUIRED");
        long reauth = statuses.values().stream().filter("REAUTHORIZATION_REQUIRED"::equals).count();
        // every token set needing a new link needs it because the kill fell between the IdP's answer and persistence
        assertThat(countStatus("REAUTHORIZATION_REQUIRED")).isEqualTo(lost);
        assertThat(lost).isEqualTo(idp.inDoubtRetries.get());
        // the same token sets: each lost one is a grant whose last rotation the IdP answered to the killed instance
        assertThat(lostBySubject).as("reauthorization reasons by subject").allSatisfy(
                (subject, reason) -> assertThat(reason).isEqualTo("refresh_result_lost"));
        assertThat(lostBySubject.keySet()).isEqualTo(idp.inDoubtRetriesBySubject.keySet());
        assertThat(idp.inDoubtRetriesBySubject.values()).as("instance each lost rotation was answered to").allMatch("a"::equals);
        assertThat(lost).as("at most the refreshes in flight on the killed instance").isLessThanOrEqualTo(16);
    }

    // ------------------------------------------------------------------ scenario b

    @Test
    @Order(2)
    void postgresStoppedForThirtySecondsUnderLoad() throws Exception {
        databaseOutage("pg-outage", "PostgreSQL stopped 30 s under on-demand + scheduled refreshes (1 instance)",
                () -> postgres.stop(), () -> postgres.start());
    }

    /**
     * A database that hangs rather than refuses: PostgreSQL's processes {@code SIGSTOP}ped, as a paused container or
     * a network black hole looks to a client. Every connection stays open and nothing answers; before the broker
     * bounded a request's wait for the database ({@code broker.database.request-timeout}) and the pool's logins
     * (pgjdbc {@code loginTimeout}), token fetches hung until the database came back.
     */
    @Test
    @Order(3)
    void postgresPausedForThirtySecondsUnderLoad() throws Exception {
        databaseOutage("pg-pause", "PostgreSQL paused (SIGSTOP) 30 s under on-demand + scheduled refreshes (1 instance)",
                () -> postgres.pause(), () -> postgres.resume());
    }

    @FunctionalInterface
    interface Fault {
        void apply() throws Exception;
    }

    private void databaseOutage(String key, String label, Fault down, Fault up) throws Exception {
        infrastructure(key);
        String load = load();
        idp.accessTokenSeconds = 40;
        BrokerProcess a = broker("a", "--broker.refresh.lease-duration=90s");
        a.awaitUp(START_TIMEOUT);
        List<String> users = link(a, 16);
        String token = apiToken(a, "fault-backend", BACKEND_SECRET);
        Storm storm = new Storm(users, Map.of(a, token));
        storm.start(4);
        await("load before the outage").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> storm.answered("before", 200) >= 40);
        // Slow IdP answers so some arrive while the database is down: the broker must persist them later.
        idp.latencyMillis = 2_500;
        int receivedAtSlowdown = idp.tokenRequestsReceived.get();
        await("a slow IdP call in flight").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> idp.tokenRequestsReceived.get() > receivedAtSlowdown);
        int rotationsBefore = idp.answeredRotations.get();
        down.apply();
        long downAt = System.nanoTime();
        storm.phase = "outage";
        try {
            await("an IdP answer during the outage").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> idp.answeredRotations.get() > rotationsBefore);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // counted (0) in the row; the scenario still checks that nothing is lost
        }
        int answeredDuringOutage = idp.answeredRotations.get() - rotationsBefore;
        idp.latencyMillis = 30;
        List<HttpResponse<String>> healthWhileDown = new java.util.ArrayList<>();
        try {
            await("health DOWN").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                healthWhileDown.add(0, get(a.base() + "/actuator/health", null));
                return healthWhileDown.get(0).statusCode() == 503;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // asserted below, with the last answer
        }
        HttpResponse<String> health = healthWhileDown.get(0);
        // The outage's prescribed length (30 s from the stop), held with Awaitility's during(): for the rest of the
        // 30 s the broker must keep answering only 200 or 503 + Retry-After problems (a 500 or a 401 fails at once).
        Duration rest = Duration.ofSeconds(30).minusNanos(System.nanoTime() - downAt);
        if (rest.compareTo(Duration.ofMillis(100)) > 0) {
            await("the outage's remaining " + rest.toMillis() + " ms").during(rest).atMost(rest.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(500)).until(() -> storm.unexpectedAnswers(a).isEmpty());
        }
        up.apply();
        long upAt = System.nanoTime();
        storm.phase = "after";
        long firstOk = storm.awaitOkAfter(upAt, Duration.ofSeconds(120));
        await("load after the outage").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> storm.answered("after", 200) >= 40);
        storm.stop();
        long settledAt = awaitSettled(a, token, users, Duration.ofSeconds(120));
        Map<String, Integer> statuses = statusesByUser();

        String row = row(label, load, storm,
                storm.byStatus(a) + "; outage: " + storm.byPhase("outage") + ", max latency "
                        + storm.maxLatencyMillis("outage") + " ms; health while down " + health.statusCode(),
                "0 (" + answeredDuringOutage + " IdP answers received during the outage, all persisted)",
                idp.reuses.get() + idp.inDoubtRetries.get(),
                Duration.ofNanos(firstOk - upAt));
        record(key, row);
        Files.writeString(work.resolve("diagnostics.txt"), "statuses " + statuses + "\nhealth while down: "
                + health.statusCode() + " " + health.headers().map() + " " + health.body()
                + "\nunexpected answers:\n" + storm.unexpectedAnswers(a) + "\n");

        assertThat(health.statusCode()).as("health while the database is down: " + health.body()).isEqualTo(503);
        assertThat(storm.unexpectedAnswers(a)).as("answers other than 200/503+Retry-After problem").isEmpty();
        assertThat(storm.maxLatencyMillis("outage")).as("no hang while the database is down").isLessThan(MAX_ANSWER_MILLIS);
        assertThat(idp.reuses.get() + idp.inDoubtRetries.get()).as("reuse").isZero();
        assertThat(statuses).as("every token set ACTIVE again (status -> count)").containsOnlyKeys("ACTIVE");
        assertThat(Duration.ofNanos(settledAt - upAt)).isLessThan(Duration.ofSeconds(120));
    }

    // ------------------------------------------------------------------ scenario c

    @Test
    @Order(4)
    void restartDuringAReadModelRebuildAndDuringAKekRotation() throws Exception {
        final int RESTART_TOKEN_SETS = 200;
        // copies of the linked token sets' stored events, seeded in SQL: 100 × 1,000 = 100,000 more events, so that the
        // bulk rebuild (≈ 30,000–55,000 events/s, benchmarks/scale) runs for seconds and a kill lands inside it
        // (-Dfaults.restart.seed-copies=0: without them, which must fail the scenario)
        final int SEED_COPIES = Integer.getInteger("faults.restart.seed-copies", 100);
        infrastructure("restart");
        String load = load();
        Phases phases = new Phases();
        BrokerProcess a = broker("a");
        a.awaitUp(START_TIMEOUT);
        phases.done("start a");
        // enough token sets (and so data keys) that a kill can land inside the rewrap
        List<String> users = link(a, RESTART_TOKEN_SETS);
        phases.done("link " + RESTART_TOKEN_SETS);
        String backend = apiToken(a, "fault-backend", BACKEND_SECRET);
        // two forced refreshes and hand-outs each: a link, refreshes and hand-outs to copy (5 events per token set);
        // the volume comes from the copies (linking and refreshing over HTTP costs ≈ 90 ms per call here)
        for (int round = 0; round < 2; round++) {
            for (String user : users) {
                assertThat(get(a.base() + "/v1/users/" + user + "/connections/sim/token?min_validity=3600", backend).statusCode())
                        .isEqualTo(200);
            }
        }
        phases.done("forced refreshes and hand-outs");
        Seeded seeded = seedCopies(users, SEED_COPIES);
        phases.done("seed " + seeded.events() + " events in SQL");
        String admin = apiToken(a, "fault-admin", ADMIN_SECRET);

        // 0. The read models of the seeded events: one full rebuild (the processors' event-by-event catch-up would take
        //    a minute), then every processor — the refresh schedule and the event chain too — at the head, so the
        //    rebuild killed below runs on an otherwise idle broker and the rows before it are final.
        long firstRebuildStarted = System.nanoTime();
        HttpResponse<String> first = send(HttpRequest.newBuilder(URI.create(a.base() + "/v1/admin/read-models/rebuild"))
                .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String adminToken = admin;
        await("the first rebuild done").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> progress = get(a.base() + "/v1/admin/read-models/rebuild", adminToken);
            var node = json.readTree(progress.body());
            return progress.statusCode() == 200 && !node.path("running").asBoolean(true)
                    && node.path("total").asLong() >= seeded.total();
        });
        Duration firstRebuild = Duration.ofNanos(System.nanoTime() - firstRebuildStarted);
        phases.done("first rebuild");
        await("every event processor at the head of the event store").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1)).until(this::processorsAtHead);
        phases.done("refresh schedule and event chain at the head");
        String[] settled = {""};
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String now = readModels();   // wait until two reads agree
            boolean same = now.equals(settled[0]);
            settled[0] = now;
            return same;
        });
        String before = settled[0];
        long[] rowsBefore = readModelRows();
        phases.done("read models settled");

        // 1. kill -9 while a rebuild is part-way, start again: its first transaction emptied the read models and moved
        //    the processors' tokens back to the first event, so the processors' ordinary replay finishes the job.
        HttpResponse<String> rebuild = send(HttpRequest.newBuilder(URI.create(a.base() + "/v1/admin/read-models/rebuild"))
                .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(rebuild.statusCode()).as(rebuild.body()).isEqualTo(202);
        // killed once half the events are written: about half the rows of both read models exist when the processors'
        // replay applies every event again from the first one
        KillPoint rebuildAtKill = killWhenPartWay(a, "/v1/admin/read-models/rebuild", admin, "processed", "total", 0.5,
                progress -> !progress.path("running").asBoolean(true));
        long killedAt = System.nanoTime();
        long[] rowsAtKill = readModelRows();
        BrokerProcess a2 = broker("a-after-rebuild-kill");
        a2.awaitUp(START_TIMEOUT);
        String[] rebuilt = {readModels()};
        try {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> (rebuilt[0] = readModels()).equals(before));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // asserted below, after the row is recorded
        }
        String after = rebuilt[0];
        long rebuiltAt = System.nanoTime();
        boolean rebuildClean = after.equals(before);
        phases.done("second rebuild, kill, start, replay until equal");

        // 2. kill -9 during a KEK rotation, start again, rotate again: every data key ends on the new key,
        //    the old key can be disabled, and every token set still decrypts (served after a forced refresh).
        admin = apiToken(a2, "fault-admin", ADMIN_SECRET);
        HttpRequest rotate = HttpRequest.newBuilder(URI.create(a2.base() + "/v1/admin/kek/rotate"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> rotation = http.sendAsync(rotate, HttpResponse.BodyHandlers.ofString());
        KillPoint kekAtKill = killWhenPartWay(a2, "/v1/admin/kek/progress", admin, "wrappedByKek", "total", 0,
                progress -> rotation.isDone());
        long kekKilledAt = System.nanoTime();
        boolean rotationAnsweredBeforeKill = rotation.isDone() && !rotation.isCompletedExceptionally();
        BrokerProcess a3 = broker("a-after-kek-kill");
        a3.awaitUp(START_TIMEOUT);
        admin = apiToken(a3, "fault-admin", ADMIN_SECRET);
        String progressAfterRestart = get(a3.base() + "/v1/admin/kek/progress", admin).body();
        HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(a3.base() + "/v1/admin/kek/rotate"))
                .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        String progress = get(a3.base() + "/v1/admin/kek/progress", admin).body();
        HttpResponse<String> disable = send(HttpRequest.newBuilder(URI.create(a3.base() + "/v1/admin/kek/disable-old-keys"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        BrokerProcess a4 = broker("a-old-keys-disabled");
        a3.close();
        a4.awaitUp(START_TIMEOUT);
        String backend4 = apiToken(a4, "fault-backend", BACKEND_SECRET);
        Map<Integer, Integer> served = new TreeMap<>();
        for (String user : users) {
            served.merge(get(a4.base() + "/v1/users/" + user + "/connections/sim/token?min_validity=3600", backend4).statusCode(), 1, Integer::sum);
        }
        long kekDoneAt = System.nanoTime();
        phases.done("KEK rotation, kill, start, rotate, disable, start, fetch");
        Files.writeString(work.resolve("diagnostics.txt"), "phases: " + phases + "\n");

        record("restart-rebuild", "| kill -9 during `POST /v1/admin/read-models/rebuild` (progress at the kill: "
                + rebuildAtKill + "; rows at the kill: history " + rowsAtKill[1] + " of " + rowsBefore[1] + ", view "
                + rowsAtKill[0] + " of " + rowsBefore[0] + "), start again | " + load
                + ", 1 instance, " + users.size() + " linked token sets + " + seeded.tokenSets() + " seeded copies, "
                + String.format("%,d", seeded.total()) + " events (" + String.format("%,d", seeded.events())
                + " seeded in SQL; a first full rebuild of them took " + firstRebuild.toMillis() / 100 / 10.0 + " s)"
                + " | 2 rebuilds | 202 | " + (rebuildClean ? "0 (read models equal the pre-rebuild rows)"
                : "read models differ") + " | " + idp.reuses.get() + " | " + Duration.ofNanos(rebuiltAt - killedAt).toMillis() / 100 / 10.0
                + " s (kill to read models equal again) |");
        record("restart-kek", "| kill -9 during `POST /v1/admin/kek/rotate` (progress at the kill: " + kekAtKill
                + "), start again, rotate again, disable old keys, restart | " + load + ", 1 instance, " + users.size()
                + " token sets | 2 rotations + " + users.size() + " fetches | rotate after restart "
                + again.statusCode() + ", disable-old-keys " + disable.statusCode() + ", fetches " + served
                + (rotationAnsweredBeforeKill ? " (first rotation had answered)" : " (first rotation cut off)")
                + "; progress after restart " + progressAfterRestart.replace("|", "/")
                + " | 0 if all fetches 200 | " + idp.reuses.get() + " | "
                + Duration.ofNanos(kekDoneAt - kekKilledAt).toMillis() / 100 / 10.0 + " s (kill to every token served on old-keys-disabled KEK) |");

        // the kill landed inside the rebuild: a poll saw it part-way, and the read models were short of their rows
        assertThat(rebuildAtKill.partWay()).as("a progress poll saw the rebuild part-way before the kill: " + rebuildAtKill)
                .isTrue();
        assertThat(rowsAtKill[1]).as("history rows at the kill (before the rebuild: " + rowsBefore[1] + ")")
                .isPositive().isLessThan(rowsBefore[1]);
        assertThat(rebuildClean).as("read models after the interrupted rebuild equal the rows before it").isTrue();
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        // complete: every data key wrapped by the KEK's primary key (the progress record's complete())
        var rewrapped = json.readTree(progress);
        assertThat(rewrapped.get("wrappedByKek").asLong()).as("progress after the second rotation " + progress
                + " (after restart: " + progressAfterRestart + ")").isEqualTo(rewrapped.get("total").asLong()).isEqualTo(users.size());
        assertThat(disable.statusCode()).as(disable.body()).isEqualTo(200);
        assertThat(served).isEqualTo(Map.of(200, users.size()));
        assertThat(idp.reuses.get()).isZero();
    }

    /** How long each phase of a scenario took, for its diagnostics. */
    static final class Phases {
        private final List<String> done = new ArrayList<>();
        private long since = System.nanoTime();

        void done(String phase) {
            long now = System.nanoTime();
            done.add(phase + " " + (now - since) / 100_000_000 / 10.0 + " s");
            since = now;
        }

        @Override
        public String toString() {
            return String.join("; ", done);
        }
    }

    /** Where a kill landed: whether the work was part-way ({@code 0 < done < total}), and the progress last seen. */
    record KillPoint(boolean partWay, String seen, String why) {
        @Override
        public String toString() {
            return why + ", " + seen;
        }
    }

    /**
     * Polls a progress resource (no pause between polls) and kills the broker as soon as it reports at least
     * {@code fraction} of the work done but not all of it ({@code done > 0} for a fraction of 0), i.e. part-way through;
     * if the work finishes first ({@code finished}), or after 2 minutes, kills it anyway. Returns the progress seen at
     * the kill and whether it was part-way, for the RELIABILITY row and the scenario's assertion.
     */
    KillPoint killWhenPartWay(BrokerProcess broker, String progressPath, String adminToken, String doneField,
                              String totalField, double fraction,
                              java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> finished)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long done = -1;
        long total = -1;
        String why = "still running after 2 minutes";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> progress = get(broker.base() + progressPath, adminToken);
            if (progress.statusCode() != 200) {
                continue;
            }
            var node = json.readTree(progress.body());
            done = node.path(doneField).asLong(-1);
            total = node.path(totalField).asLong(-1);
            if (done > 0 && done < total && done >= fraction * total) {
                why = "part-way";
                break;
            }
            if (finished.test(node)) {
                why = "finished before a poll saw it part-way (last poll)";
                break;
            }
        }
        broker.kill9();
        return new KillPoint(done > 0 && done < total && !why.startsWith("finished"), done + "/" + total, why);
    }

    /** The seeded data: token sets and events added, and the events in the store after seeding. */
    record Seeded(int tokenSets, long events, long total) {
    }

    /**
     * Copies every stored event of the linked token sets {@code copies} times into new token sets, in SQL, the way
     * {@code AuditBenchmark} builds its data set: each copy of user {@code u}'s token set belongs to user
     * {@code seed<c>-u} and has that user's derived aggregate identifier ({@link TokenSetId#of}); the payloads are the
     * stored JSON with the token set id and the user id replaced, the sequence numbers, payload types and revisions,
     * metadata and timestamps those of the original event; each event gets a new event identifier, and its global index
     * from the store's sequence, copy after copy in the original order (so each token set's events stay in sequence
     * order, interleaved with the other token sets' as they were appended). The copies have no data keys: nothing
     * decrypts their tokens in this scenario (their access tokens expire an hour after the originals', so the
     * scheduler leaves them alone), and the read models copy ciphertexts without opening them.
     */
    Seeded seedCopies(List<String> users, int copies) throws Exception {
        if (copies == 0) {
            try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
                 ResultSet count = connection.createStatement().executeQuery("SELECT count(*) FROM domainevententry")) {
                count.next();
                return new Seeded(0, 0, count.getLong(1));
            }
        }
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres")) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.execute("CREATE TEMP TABLE seed_copy (copy_number int NOT NULL, old_id varchar(255) NOT NULL,"
                        + " new_id varchar(255) NOT NULL, old_user text NOT NULL, new_user text NOT NULL) ON COMMIT DROP");
            }
            try (var insert = connection.prepareStatement("INSERT INTO seed_copy VALUES (?, ?, ?, ?, ?)")) {
                for (int copy = 1; copy <= copies; copy++) {
                    for (String user : users) {
                        String copyUser = "seed" + copy + "-" + user;
                        insert.setInt(1, copy);
                        insert.setString(2, TokenSetId.of(user, "sim").toString());
                        insert.setString(3, TokenSetId.of(copyUser, "sim").toString());
                        insert.setString(4, user);
                        insert.setString(5, copyUser);
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
            }
            long events;
            try (var insert = connection.prepareStatement("INSERT INTO domainevententry (aggregateidentifier,"
                    + " sequencenumber, type, eventidentifier, metadata, payload, payloadrevision, payloadtype, timestamp)"
                    + " SELECT m.new_id, e.sequencenumber, e.type, md5(m.new_id || '/' || e.eventidentifier)::uuid::text,"
                    + "  e.metadata, convert_to(replace(replace(convert_from(e.payload, 'UTF8'), m.old_id, m.new_id),"
                    + "  '\"' || m.old_user || '\"', '\"' || m.new_user || '\"'), 'UTF8'),"
                    + "  e.payloadrevision, e.payloadtype, e.timestamp"
                    + " FROM domainevententry e JOIN seed_copy m ON m.old_id = e.aggregateidentifier"
                    + " ORDER BY m.copy_number, e.globalindex")) {
                events = insert.executeUpdate();
            }
            try (ResultSet check = connection.createStatement().executeQuery("SELECT"
                    // every copy names its own token set, never the original's; every link names its own user
                    + " (SELECT count(*) FROM domainevententry e JOIN seed_copy m ON m.new_id = e.aggregateidentifier"
                    + "   WHERE position(m.old_id IN convert_from(e.payload, 'UTF8')) > 0"
                    + "   OR position(m.new_id IN convert_from(e.payload, 'UTF8')) = 0"
                    + "   OR (e.payloadtype LIKE '%.TokenSetLinked'"
                    + "       AND position('\"' || m.new_user || '\"' IN convert_from(e.payload, 'UTF8')) = 0)),"
                    // each token set's events in sequence order along the global index
                    + " (SELECT count(*) FROM (SELECT sequencenumber < lag(sequencenumber) OVER (PARTITION BY"
                    + "   aggregateidentifier ORDER BY globalindex) AS backwards FROM domainevententry) o WHERE backwards),"
                    + " (SELECT count(*) FROM domainevententry),"
                    + " (SELECT count(*) FROM domainevententry WHERE aggregateidentifier IN (SELECT old_id FROM seed_copy))")) {
                check.next();
                assertThat(check.getLong(1)).as("seeded events still naming the original or not their own token set").isZero();
                assertThat(check.getLong(2)).as("events out of sequence order along the global index").isZero();
                assertThat(events).as("seeded events: every event of the linked token sets, once per copy")
                        .isEqualTo(copies * check.getLong(4)).isPositive();
                connection.commit();
                return new Seeded(copies * users.size(), events, check.getLong(3));
            }
        }
    }

    /**
     * Whether every segment of every tracking processor (read models, refresh schedule, event chain) has processed up
     * to the event store's head: its stored token is a plain {@code GapAwareTrackingToken} at or past the head.
     */
    boolean processorsAtHead() throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             ResultSet rows = connection.createStatement().executeQuery("SELECT (SELECT max(globalindex) FROM"
                     + " domainevententry), processorname, tokentype, convert_from(token, 'UTF8') FROM tokenentry"
                     + " WHERE processorname NOT LIKE '\\_\\_%'")) {
            int segments = 0;
            while (rows.next()) {
                segments++;
                String type = rows.getString(3);
                String token = rows.getString(4);
                if (token == null || type == null || !type.endsWith("GapAwareTrackingToken")
                        || json.readTree(token).path("index").asLong(-1) < rows.getLong(1)) {
                    return false;
                }
            }
            return segments > 0;
        }
    }

    /** Rows in {@code token_set_view} and {@code token_set_history}. */
    long[] readModelRows() throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             ResultSet rows = connection.createStatement().executeQuery(
                     "SELECT (SELECT count(*) FROM token_set_view), (SELECT count(*) FROM token_set_history)")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2)};
        }
    }

    /** Both read models, every column of every row, as one value: a hash per table (in key order) and the row counts. */
    String readModels() throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             ResultSet rows = connection.createStatement().executeQuery(
                     "select (select md5(coalesce(string_agg(t::text, '|' order by t.token_set_id), '')) from token_set_view t)"
                             + " || (select md5(coalesce(string_agg(h::text, '|' order by h.token_set_id, h.sequence_number), ''))"
                             + " from token_set_history h)"
                             + " || (select count(*) from token_set_view) || '/' || (select count(*) from token_set_history)")) {
            rows.next();
            return rows.getString(1);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Links {@code count} users through the real connect flow (the IdP approves at once). */
    List<String> link(BrokerProcess broker, int count) throws Exception {
        String appToken = apiToken(broker, "fault-app", APP_SECRET);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = "user-" + i;
            HttpResponse<String> session = send(HttpRequest.newBuilder(URI.create(broker.base() + "/v1/connect-sessions"))
                    .header("Authorization", "Bearer " + appToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user
                            + "\",\"connector\":\"sim\",\"returnTo\":\"https://app.example/linked\"}")).build());
            assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
            String connectUrl = json.readTree(session.body()).get("connectUrl").asText();
            String toIdp = location(get(connectUrl.replaceFirst("^https?://[^/]+", broker.base()), null));
            String toCallback = location(get(toIdp, null));
            HttpResponse<String> back = get(toCallback, null);
            assertThat(back.headers().firstValue("Location").orElse("")).as(back.body()).contains("status=linked");
            users.add(user);
        }
        return users;
    }

    String apiToken(BrokerProcess broker, String client, String secret) throws Exception {
        String basic = Base64.getEncoder().encodeToString((client + ":" + secret).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(broker.base() + "/oauth2/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).get("access_token").asText();
    }

    HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("no redirect: " + response.statusCode() + " " + response.body()));
    }

    /** Polls until every token set is ACTIVE or needs a new link, and every ACTIVE one is served with a fresh token. */
    long awaitSettled(BrokerProcess broker, String token, List<String> users, Duration timeout) throws Exception {
        await("every token set served or marked for re-linking").atMost(timeout).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    for (String user : users) {
                        int status = get(broker.base() + "/v1/users/" + user + "/connections/sim/token?min_validity=3600",
                                token).statusCode();
                        if (status != 200 && status != 409) {
                            return false;
                        }
                    }
                    return true;
                });
        return System.nanoTime();
    }

    Map<String, Integer> statusesByUser() throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             ResultSet rows = connection.createStatement().executeQuery("select status, count(*) from refresh_schedule group by status")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        return counts;
    }

    /** Reauthorization reasons by token set, from the events' clear metadata. */
    List<String> reasons() throws Exception {
        List<String> result = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             ResultSet rows = connection.createStatement().executeQuery("select aggregateidentifier, payloadtype,"
                     + " substr(convert_from(payload, 'UTF8'), 1, 400) from domainevententry where payloadtype like '%Failed%'"
                     + " or payloadtype like '%Reauthorization%' order by globalindex")) {
            while (rows.next()) {
                result.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
            }
        }
        return result;
    }

    /** Token sets that need a new link: upstream subject → the failure code that ended them. */
    Map<String, String> reauthorizationsBySubject() throws Exception {
        Map<String, String> result = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             ResultSet rows = connection.createStatement().executeQuery("select upstream_subject, last_failure_code"
                     + " from token_set_view where status = 'REAUTHORIZATION_REQUIRED'")) {
            while (rows.next()) {
                result.put(rows.getString(1), rows.getString(2));
            }
        }
        return result;
    }

    int countStatus(String status) throws Exception {
        return statusesByUser().getOrDefault(status, 0);
    }

    int countReason(String reason) throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
             var statement = connection.prepareStatement("select count(distinct aggregateidentifier) from domainevententry "
                     + "where payloadtype like '%Reauthorization%' and position(? in convert_from(payload, 'UTF8')) > 0")) {
            statement.setString(1, reason);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    static String load() throws Exception {
        return "load " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " on "
                + Runtime.getRuntime().availableProcessors() + " cores";
    }

    String row(String fault, String load, Storm storm, String answers, String eventsLost, int reuse, Duration recover) {
        return "| " + fault + " | " + load + ", " + storm.threads + " client threads | " + storm.total.sum() + " | " + answers
                + " | " + eventsLost + " | " + reuse + " | " + recover.toMillis() / 100 / 10.0 + " s |";
    }

    static void record(String key, String row) throws Exception {
        Path file = Path.of("..", "RELIABILITY.md");
        Files.writeString(Path.of("target", "faults", key + ".row.md"), row + "\n");
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
        String marker = "<!-- " + key + " -->";
        String line = row + " " + marker;
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith(marker)) {
                lines.set(i, line);
                replaced = true;
            }
        }
        if (!replaced) {
            int at = lines.size();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("<!-- rows end -->")) {
                    at = i;
                }
            }
            lines.add(at, line);
        }
        Files.write(file, lines);
    }

    /** Client threads fetching tokens with {@code min_validity} forcing a refresh most of the time. */
    final class Storm {
        final List<String> users;
        final Map<BrokerProcess, String> targets;
        final Map<BrokerProcess, Boolean> sending = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> maxLatency = new ConcurrentHashMap<>();
        final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        final LongAdder total = new LongAdder();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<Long, Boolean> okTimes = new ConcurrentHashMap<>();
        volatile String phase = "before";
        volatile long lastOk;
        int threads;
        ExecutorService pool;

        Storm(List<String> users, Map<BrokerProcess, String> targets) {
            this.users = users;
            this.targets = targets;
            targets.keySet().forEach(broker -> sending.put(broker, true));
        }

        void start(int threadCount) {
            threads = threadCount;
            pool = Executors.newFixedThreadPool(threadCount);
            for (int t = 0; t < threadCount; t++) {
                Random random = new Random(t);
                pool.submit(() -> {
                    while (running.get()) {
                        List<BrokerProcess> live = targets.keySet().stream().filter(sending::get).toList();
                        BrokerProcess broker = live.get(random.nextInt(live.size()));
                        String user = users.get(random.nextInt(users.size()));
                        int minValidity = random.nextInt(10) < 7 ? 3600 : 30;
                        call(broker, user, minValidity);
                    }
                    return null;
                });
            }
        }

        void call(BrokerProcess broker, String user, int minValidity) {
            String currentPhase = phase;
            long started = System.nanoTime();
            String key;
            try {
                HttpResponse<String> response = get(broker.base() + "/v1/users/" + user + "/connections/sim/token?min_validity="
                        + minValidity, targets.get(broker));
                int status = response.statusCode();
                key = String.valueOf(status);
                if (status == 200) {
                    lastOk = System.nanoTime();
                } else if (status == 503) {
                    boolean problem = response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
                    boolean retryAfter = response.headers().firstValue("Retry-After").isPresent();
                    if (!problem || !retryAfter) {
                        unexpected.add(broker.name + " 503 without problem/Retry-After: " + response.body());
                    }
                } else if (status != 409) {
                    unexpected.add(broker.name + " " + status + " " + response.body());
                }
            } catch (Exception e) {
                if (!sending.get(broker)) {
                    return; // sent to an instance killed meanwhile
                }
                key = "no answer";
                unexpected.add(broker.name + " no answer: " + e);
            }
            if (!sending.get(broker) && !"200".equals(key)) {
                return;
            }
            total.increment();
            answers.computeIfAbsent(broker.name + "|" + key, k -> new AtomicInteger()).incrementAndGet();
            answers.computeIfAbsent("phase:" + currentPhase + "|" + key, k -> new AtomicInteger()).incrementAndGet();
            long millis = (System.nanoTime() - started) / 1_000_000;
            maxLatency.computeIfAbsent(currentPhase, k -> new AtomicLong()).accumulateAndGet(millis, Math::max);
            maxLatency.computeIfAbsent("instance:" + broker.name, k -> new AtomicLong()).accumulateAndGet(millis, Math::max);
        }

        void stopSending(BrokerProcess broker) {
            sending.put(broker, false);
        }

        void stop() throws InterruptedException {
            running.set(false);
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }

        long awaitOkAfter(long since, Duration timeout) {
            await("a 200 after the fault").atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> lastOk > since);
            return lastOk;
        }

        String byStatus(BrokerProcess broker) {
            return filtered(broker.name + "|");
        }

        int answered(String phaseName, int status) {
            AtomicInteger count = answers.get("phase:" + phaseName + "|" + status);
            return count == null ? 0 : count.get();
        }

        String byPhase(String name) {
            return filtered("phase:" + name + "|");
        }

        private String filtered(String prefix) {
            Map<String, Integer> result = new TreeMap<>();
            answers.forEach((key, count) -> {
                if (key.startsWith(prefix)) {
                    result.put(key.substring(prefix.length()), count.get());
                }
            });
            return result.toString();
        }

        long maxLatencyMillis(String name) {
            AtomicLong value = maxLatency.get(name);
            return value == null ? 0 : value.get();
        }

        String unexpectedAnswers(BrokerProcess broker) {
            List<String> mine = unexpected.stream().filter(line -> line.startsWith(broker.name + " ")).limit(10).toList();
            return String.join("\n", mine);
        }
    }
}
