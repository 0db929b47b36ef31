package dev.tokenbroker.projections.integration.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;

import dev.tokenbroker.projections.integration.IntegrationEvent;
import dev.tokenbroker.projections.integration.IntegrationEvents;
import io.cloudevents.CloudEvent;

/**
 * Publishes every {@code TokenSet} event to Kafka as a CloudEvent, at least once, in order per token
 * set: the event store is the outbox, and this processor's tracking token is the outbox's cursor.
 *
 * <p>Within a batch of the processor every record is sent without waiting; before the batch commits
 * (with its tracking token, in one database transaction) the publisher waits until Kafka acknowledged
 * all of them. A send that fails or is not acknowledged within the send timeout throws: the batch and
 * its token roll back, the processor releases the segment and retries it with back-off (1 s, 2 s, ...
 * 60 s). Records of a failed batch that did reach Kafka are sent again: consumers deduplicate on the
 * CloudEvents {@code id}.
 *
 * <p>Order per token set: the processor's sequencing policy keeps one aggregate in one segment (one
 * thread, one instance at a time), the key keeps it in one partition, and the idempotent producer
 * keeps it within the partition across its own retries.
 */
@ProcessingGroup(KafkaEventPublisher.PROCESSING_GROUP)
public final class KafkaEventPublisher {

    public static final String PROCESSING_GROUP = "kafka-publisher";

    private static final String BATCH_RESOURCE = KafkaEventPublisher.class.getName() + ".batch";

    private final Producer<String, CloudEvent> producer;
    private final CloudEventRecords records;
    private final TokenSetOwners owners;
    private final KafkaPublisherStatus status;
    private final Duration sendTimeout;

    /**
     * @param sendTimeout how long a batch waits for its acknowledgements; keep it at or above the
     *                    producer's {@code delivery.timeout.ms} and below the token claim timeout
     */
    public KafkaEventPublisher(Producer<String, CloudEvent> producer, CloudEventRecords records,
                               TokenSetOwners owners, KafkaPublisherStatus status, Duration sendTimeout) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.records = Objects.requireNonNull(records, "records");
        this.owners = Objects.requireNonNull(owners, "owners");
        this.status = Objects.requireNonNull(status, "status");
        this.sendTimeout = Objects.requireNonNull(sendTimeout, "sendTimeout");
    }

    @EventHandler
    void on(Object payload, DomainEventMessage<?> message) {
        if (!IntegrationEvents.isTokenSetEvent(message)) {
            return;
        }
        IntegrationEvent event = owners.complete(IntegrationEvents.from(message));
        Batch batch = currentBatch();
        batch.send(records.toRecord(event));
        if (batch.standalone) {
            batch.awaitAcknowledgements();
        }
    }

    /** A reset replays the whole history to Kafka (consumers deduplicate); the owners are relearnt from it. */
    @ResetHandler
    void reset() {
        owners.deleteAll();
    }

    private Batch currentBatch() {
        if (!CurrentUnitOfWork.isStarted()) {
            return new Batch(true);
        }
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        return root.getOrComputeResource(BATCH_RESOURCE, key -> {
            Batch batch = new Batch(false);
            // Registered after the processor's own token update, so this runs last before the commit.
            root.onPrepareCommit(unitOfWork -> batch.awaitAcknowledgements());
            return batch;
        });
    }

    /** The sends of one processor batch. */
    private final class Batch {

        private final boolean standalone;
        private final List<Future<RecordMetadata>> sends = new ArrayList<>();

        private Batch(boolean standalone) {
            this.standalone = standalone;
        }

        void send(org.apache.kafka.clients.producer.ProducerRecord<String, CloudEvent> record) {
            Future<RecordMetadata> previous = sends.isEmpty() ? null : sends.get(sends.size() - 1);
            if (previous != null && previous.isDone()) {
                // fail fast: when Kafka is unreachable each further send would block up to max.block.ms
                acknowledged(previous, 0);
            }
            Future<RecordMetadata> sent;
            try {
                sent = producer.send(record);
            } catch (RuntimeException e) {
                status.failed(e);
                throw new KafkaPublishingException("could not send to " + records.topic(), e);
            }
            sends.add(sent);
            if (sent.isDone()) {
                acknowledged(sent, 0);
            }
        }

        void awaitAcknowledgements() {
            long deadline = System.nanoTime() + sendTimeout.toNanos();
            for (Future<RecordMetadata> sent : sends) {
                acknowledged(sent, Math.max(0, deadline - System.nanoTime()));
            }
            if (!sends.isEmpty()) {
                status.acknowledged();
            }
        }

        private void acknowledged(Future<RecordMetadata> sent, long timeoutNanos) {
            try {
                sent.get(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                status.failed(e.getCause());
                throw new KafkaPublishingException("Kafka did not accept a record for " + records.topic(), e.getCause());
            } catch (TimeoutException e) {
                status.failed(e);
                throw new KafkaPublishingException("Kafka did not acknowledge within " + sendTimeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaPublishingException("interrupted while waiting for Kafka", e);
            }
        }
    }
}
