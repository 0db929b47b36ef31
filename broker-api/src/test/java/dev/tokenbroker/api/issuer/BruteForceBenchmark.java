package dev.tokenbroker.api.issuer;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A valid client fetching tokens while attackers flood the token endpoint with wrong secrets, with the default limits
 * and with the limits off. Run:
 * {@code ./mvnw -B -o -pl broker-api -am test -Dtest=BruteForceBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbroker.test.excludedGroups=none -Dgroups=benchmark}; writes {@code target/brute-force-results.md}.
 */
@Tag("benchmark")
@BrokerApiTest
class BruteForceBenchmark {

    private static final String SECRET = "bench-secret-0123456789abcdef";
    private static final Duration PHASE = Duration.ofSeconds(Long.getLong("bench.seconds", 20));
    private static final int ATTACK_THREADS = 16;
    private static final int ATTACK_ADDRESSES = 64;

    @LocalServerPort
    int port;
    @Autowired
    ClientAuthenticationGuard guard;
    @Autowired
    ApiClientStore store;
    @Autowired
    ApiClientSecrets secrets;

    @Test
    void validClientDuringAFloodOfBadSecrets() throws Exception {
        if (store.find("bench-victim").isEmpty()) {
            store.save(new ApiClient("bench-victim", "bench", Set.of(ApiScope.TOKENS_READ), Set.of("demo"), Set.of(), Instant.now(), false));
            secrets.ensure("bench-victim", SECRET);
        }
        ClientAuthenticationLimitProperties defaults = guard.limits();
        StringBuilder report = new StringBuilder();
        report.append("| phase | valid requests | valid success | valid p50 ms | p95 ms | p99 ms | max ms | attacker requests | attacker answers | process CPU (cores) | load avg 1m before → after |\n");
        report.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        try {
            guard.limits(defaults);
            report.append(phase("no attack (defaults)", false));
            guard.limits(defaults);
            report.append(phase("flood, default limits", true));
            guard.limits(new ClientAuthenticationLimitProperties(1_000_000, 1_000_000, Duration.ofMinutes(1), 64,
                    Duration.ofSeconds(30), 100_000, Duration.ofHours(24)));
            report.append(phase("flood, limits off (64 concurrent checks)", true));
        } finally {
            guard.limits(defaults);
        }
        String header = "cores " + Runtime.getRuntime().availableProcessors() + ", concurrent secret checks (default) "
                + defaults.concurrentHashes() + ", " + PHASE.toSeconds() + " s per phase, " + ATTACK_THREADS
                + " attacker threads from " + ATTACK_ADDRESSES + " addresses, half against the valid client's id, half random ids\n\n";
        Files.writeString(Path.of("target/brute-force-results.md"), header + report);
        System.out.println(header + report);
    }

    private String phase(String name, boolean attack) throws Exception {
        ApiClients api = new ApiClients(port);
        api.tokenBasic("bench-victim", SECRET, null); // known good from 127.0.0.1
        AtomicBoolean running = new AtomicBoolean(true);
        Map<Integer, LongAdder> attackerAnswers = new ConcurrentHashMap<>();
        LongAdder attackerRequests = new LongAdder();
        ExecutorService attackers = Executors.newFixedThreadPool(ATTACK_THREADS);
        if (attack) {
            for (int t = 0; t < ATTACK_THREADS; t++) {
                int thread = t;
                attackers.submit(() -> {
                    int i = 0;
                    while (running.get()) {
                        int n = thread * 100_000 + i++;
                        String from = "127.0.4." + (n % ATTACK_ADDRESSES + 1);
                        String clientId = n % 2 == 0 ? "bench-victim" : "guess-" + UUID.randomUUID();
                        try {
                            int status = RawHttp.tokenRequest(from, port, clientId, "wrong-" + n).status();
                            attackerAnswers.computeIfAbsent(status, s -> new LongAdder()).increment();
                        } catch (IOException e) {
                            attackerAnswers.computeIfAbsent(-1, s -> new LongAdder()).increment();
                        }
                        attackerRequests.increment();
                    }
                    return null;
                });
            }
        }
        double loadBefore = loadAverage();
        long cpuBefore = processCpuNanos();
        long started = System.nanoTime();
        List<Long> latencies = new ArrayList<>();
        int ok = 0;
        int total = 0;
        while (System.nanoTime() - started < PHASE.toNanos()) {
            long t0 = System.nanoTime();
            HttpResponse<String> response = api.tokenBasic("bench-victim", SECRET, null);
            latencies.add((System.nanoTime() - t0) / 1_000_000);
            total++;
            if (response.statusCode() == 200) {
                ok++;
            }
            Thread.sleep(50); // a client asking 20 times a second at most
        }
        long elapsed = System.nanoTime() - started;
        double cores = (processCpuNanos() - cpuBefore) / (double) elapsed;
        running.set(false);
        attackers.shutdown();
        attackers.awaitTermination(1, TimeUnit.MINUTES);
        double loadAfter = loadAverage();
        Collections.sort(latencies);
        Map<Integer, Long> answers = new TreeMap<>();
        attackerAnswers.forEach((status, count) -> answers.put(status, count.sum()));
        return String.format("| %s | %d | %.1f %% | %d | %d | %d | %d | %d | %s | %.2f | %.2f → %.2f |%n", name, total,
                100.0 * ok / total, percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99),
                latencies.get(latencies.size() - 1), attackerRequests.sum(), answers, cores, loadBefore, loadAfter);
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
