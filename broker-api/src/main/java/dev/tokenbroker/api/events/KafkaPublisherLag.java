package dev.tokenbroker.api.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.projections.integration.kafka.KafkaEventPublisher;

/**
 * How far the publisher is behind the event store, over all its segments on all instances (read
 * from the tracking tokens in {@code tokenentry}, not from this instance's claims): events appended
 * after the slowest segment's position, and the age of the oldest of them. An upper bound: faster
 * segments may already have published some of those events. Cached for a second so the two gauges
 * and the health check share one pair of queries.
 */
final class KafkaPublisherLag {

    /** Lag in events and seconds; zero when caught up. */
    record Snapshot(long events, double seconds) {
    }

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final Clock clock;
    private volatile Snapshot cached;
    private volatile Instant cachedAt = Instant.MIN;

    KafkaPublisherLag(JdbcTemplate jdbc, Serializer serializer, Clock clock) {
        this.jdbc = jdbc;
        this.serializer = serializer;
        this.clock = clock;
    }

    Snapshot snapshot() {
        Instant now = clock.instant();
        if (cached == null || Duration.between(cachedAt, now).compareTo(Duration.ofSeconds(1)) > 0) {
            cached = measure(now);
            cachedAt = now;
        }
        return cached;
    }

    private Snapshot measure(Instant now) {
        Long head = jdbc.queryForObject("SELECT max(globalindex) FROM domainevententry", Long.class);
        if (head == null) {
            return new Snapshot(0, 0);
        }
        long processed = slowestPosition().orElse(-1);
        if (processed >= head) {
            return new Snapshot(0, 0);
        }
        List<String> oldest = jdbc.queryForList("SELECT timestamp FROM domainevententry WHERE globalindex > ?"
                + " ORDER BY globalindex LIMIT 1", String.class, processed);
        double seconds = oldest.isEmpty() ? 0
                : Math.max(0, Duration.between(Instant.parse(oldest.get(0)), now).toMillis() / 1000.0);
        return new Snapshot(head - processed, seconds);
    }

    /** The lowest position over the publisher's segments; empty before it stored any token. */
    private OptionalLong slowestPosition() {
        List<OptionalLong> positions = jdbc.query(
                "SELECT token, tokentype FROM tokenentry WHERE processorname = ?",
                (rs, row) -> {
                    byte[] token = rs.getBytes(1);
                    if (token == null) {
                        return OptionalLong.of(-1);
                    }
                    TrackingToken tracking = serializer.deserialize(
                            new SimpleSerializedObject<>(token, byte[].class, rs.getString(2), null));
                    return tracking == null ? OptionalLong.of(-1) : tracking.position();
                },
                KafkaEventPublisher.PROCESSING_GROUP);
        return positions.stream().mapToLong(p -> p.orElse(-1)).min();
    }
}
