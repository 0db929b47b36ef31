package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The refresh meters. Tags carry connector ids and outcomes only, never token material or user ids.
 * <ul>
 *   <li>{@code broker.refresh.requests} (counter; tags {@code connector}, {@code outcome}, {@code trigger}) — every finished request</li>
 *   <li>{@code broker.refresh.in.flight} (gauge) — upstream refresh calls in progress on this instance</li>
 *   <li>{@code broker.refresh.schedule.lag} (timer) — from a token set's due time to the start of its scheduled refresh</li>
 *   <li>{@code broker.refresh.persist.retries} (counter) — persisting an IdP answer failed and was retried</li>
 *   <li>{@code broker.refresh.token.sets} (gauge; tag {@code status}) — token sets by status, from the refresh schedule</li>
 * </ul>
 */
public final class RefreshMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Timer scheduleLag;
    private final Counter persistRetries;
    private final AtomicReference<Map<TokenSetStatus, Long>> tokenSetsByStatus = new AtomicReference<>(Map.of());

    public RefreshMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        Gauge.builder("broker.refresh.in.flight", inFlight, AtomicInteger::get)
                .description("Upstream refresh calls in progress on this instance").register(registry);
        scheduleLag = Timer.builder("broker.refresh.schedule.lag")
                .description("Time from a token set's due time to the start of its scheduled refresh")
                .publishPercentiles(0.5, 0.99).register(registry);
        persistRetries = Counter.builder("broker.refresh.persist.retries")
                .description("Persisting an IdP's refresh answer failed and was retried").register(registry);
        for (TokenSetStatus status : TokenSetStatus.values()) {
            Gauge.builder("broker.refresh.token.sets", tokenSetsByStatus, counts -> counts.get().getOrDefault(status, 0L))
                    .tag("status", status.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Token sets by status (refresh schedule)").register(registry);
        }
    }

    void requestFinished(String connectorId, RefreshOutcome outcome, String trigger) {
        registry.counter("broker.refresh.requests", "connector", connectorId == null ? "unknown" : connectorId,
                "outcome", outcome.tag(), "trigger", trigger).increment();
    }

    void upstreamCallStarted() {
        inFlight.incrementAndGet();
    }

    void upstreamCallFinished() {
        inFlight.decrementAndGet();
    }

    void scheduleLag(Duration lag) {
        scheduleLag.record(lag.isNegative() ? Duration.ZERO : lag);
    }

    void persistRetried() {
        persistRetries.increment();
    }

    void tokenSetsByStatus(Map<TokenSetStatus, Long> counts) {
        tokenSetsByStatus.set(counts.isEmpty() ? Map.of() : new EnumMap<>(counts));
    }

    public int inFlight() {
        return inFlight.get();
    }

    public double persistRetries() {
        return persistRetries.count();
    }

    public Timer scheduleLagTimer() {
        return scheduleLag;
    }

    public double requests(String connectorId, RefreshOutcome outcome) {
        return registry.find("broker.refresh.requests").tag("connector", connectorId).tag("outcome", outcome.tag())
                .counters().stream().mapToDouble(Counter::count).sum();
    }
}
