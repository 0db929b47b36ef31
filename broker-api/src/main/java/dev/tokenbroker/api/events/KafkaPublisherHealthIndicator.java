package dev.tokenbroker.api.events;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import dev.tokenbroker.projections.integration.kafka.KafkaEventPublisher;
import dev.tokenbroker.projections.integration.kafka.KafkaPublisherStatus;

/**
 * {@code kafkaPublisher}: {@code DEGRADED} (HTTP 200, see {@code application.yml}) while Kafka does not
 * acknowledge, never {@code DOWN}: the broker keeps linking, refreshing and handing out tokens, and
 * the publisher catches up from the event store when Kafka is back.
 */
final class KafkaPublisherHealthIndicator extends AbstractHealthIndicator {

    static final Status DEGRADED = new Status("DEGRADED", "Kafka does not acknowledge; events wait in the event store");

    private final KafkaPublisherStatus status;
    private final KafkaPublisherLag lag;
    private final EventProcessingConfiguration processing;
    private final String topic;

    KafkaPublisherHealthIndicator(KafkaPublisherStatus status, KafkaPublisherLag lag,
                                  EventProcessingConfiguration processing, String topic) {
        super("Kafka publisher health check failed");
        this.status = status;
        this.lag = lag;
        this.processing = processing;
        this.topic = topic;
    }

    @Override
    protected void doHealthCheck(Health.Builder health) {
        boolean processorError = processing
                .eventProcessor(KafkaEventPublisher.PROCESSING_GROUP, PooledStreamingEventProcessor.class)
                .map(PooledStreamingEventProcessor::isError).orElse(false);
        health.status(status.failing() || processorError ? DEGRADED : Status.UP);
        health.withDetail("topic", topic);
        KafkaPublisherLag.Snapshot snapshot = lag.snapshot();
        health.withDetail("lagEvents", snapshot.events());
        health.withDetail("lagSeconds", snapshot.seconds());
        status.lastAcknowledged().ifPresent(at -> health.withDetail("lastAcknowledged", at.toString()));
        status.lastFailure().ifPresent(failure -> {
            health.withDetail("lastFailure", failure.at().toString());
            health.withDetail("lastError", failure.error());
        });
    }
}
