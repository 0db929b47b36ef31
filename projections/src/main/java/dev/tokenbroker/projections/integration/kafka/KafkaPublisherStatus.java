package dev.tokenbroker.projections.integration.kafka;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the publisher last experienced: the last acknowledged batch and the last failure, for the
 * health indicator. Thread-safe; one per publisher.
 */
public final class KafkaPublisherStatus {

    private final Clock clock;
    private final AtomicReference<Instant> lastAcknowledged = new AtomicReference<>();
    private final AtomicReference<Failure> lastFailure = new AtomicReference<>();

    public KafkaPublisherStatus(Clock clock) {
        this.clock = clock;
    }

    /** A failed send; the message never includes record content. */
    public record Failure(Instant at, String error) {
    }

    void acknowledged() {
        lastAcknowledged.set(clock.instant());
    }

    void failed(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        lastFailure.set(new Failure(clock.instant(), cause.getClass().getSimpleName() + ": " + cause.getMessage()));
    }

    public Optional<Instant> lastAcknowledged() {
        return Optional.ofNullable(lastAcknowledged.get());
    }

    public Optional<Failure> lastFailure() {
        return Optional.ofNullable(lastFailure.get());
    }

    /** Whether the latest attempt failed (no acknowledgement since the last failure). */
    public boolean failing() {
        Failure failure = lastFailure.get();
        Instant acknowledged = lastAcknowledged.get();
        return failure != null && (acknowledged == null || acknowledged.isBefore(failure.at()));
    }
}
