package dev.tokenbroker.projections.chain;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Checkpoints copied to a Kafka topic, one record each: key = the chain index (decimal), value = the same
 * JSON line as the file sink ({@link CheckpointJson}), so a dump of the topic's values is a checkpoints
 * file for the offline verifier. Meant for a producer with {@code acks=all} and idempotence, and a topic
 * with one partition and unlimited retention (checkpoints are small and are the anchor).
 *
 * <p>The checkpoint table stays the source: a send counts only once Kafka acknowledged it, and how far
 * the topic holds the checkpoints is kept in {@code event_chain_sink_position}, so the signer sends
 * what was signed while Kafka was unreachable, in chain order, once it is back. After a failure the sink
 * refuses further sends for a back-off (1 s doubling to 1 min) instead of blocking the signer on every
 * tick. Several instances may send the same checkpoint: identical records, which verifiers tolerate.
 */
public final class KafkaCheckpointSink implements CheckpointSink {

    private static final Duration FIRST_BACK_OFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACK_OFF = Duration.ofMinutes(1);

    private final Producer<String, String> producer;
    private final String topic;
    private final JdbcTemplate jdbc;
    private final Duration sendTimeout;
    private final Clock clock;
    private final String name;
    private Instant nextAttempt = Instant.MIN;
    private Duration backOff = FIRST_BACK_OFF;

    public KafkaCheckpointSink(Producer<String, String> producer, String topic, JdbcTemplate jdbc, Duration sendTimeout,
                               Clock clock) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.sendTimeout = Objects.requireNonNull(sendTimeout, "sendTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = "kafka:" + topic;
    }

    public String topic() {
        return topic;
    }

    @Override
    public synchronized void append(Checkpoint checkpoint) throws IOException {
        Instant now = clock.instant();
        if (now.isBefore(nextAttempt)) {
            throw new IOException("Kafka topic " + topic + " failed recently; next attempt at " + nextAttempt);
        }
        try {
            producer.send(new ProducerRecord<>(topic, Long.toString(checkpoint.chainIndex()), CheckpointJson.toLine(checkpoint)))
                    .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(now, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw failed(now, e);
        }
        backOff = FIRST_BACK_OFF;
        nextAttempt = Instant.MIN;
        jdbc.update("INSERT INTO event_chain_sink_position (sink, chain_index) VALUES (?, ?) ON CONFLICT (sink)"
                + " DO UPDATE SET chain_index = greatest(event_chain_sink_position.chain_index, excluded.chain_index)",
                name, checkpoint.chainIndex());
    }

    private IOException failed(Instant now, Exception cause) {
        nextAttempt = now.plus(backOff);
        backOff = backOff.multipliedBy(2).compareTo(MAX_BACK_OFF) > 0 ? MAX_BACK_OFF : backOff.multipliedBy(2);
        Throwable reason = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
        return new IOException("Kafka did not acknowledge a checkpoint on " + topic + ": " + reason, reason);
    }

    /** The last checkpoint Kafka acknowledged (from the database: the topic is not read back). */
    @Override
    public long lastChainIndex() {
        return jdbc.query("SELECT chain_index FROM event_chain_sink_position WHERE sink = ?",
                rs -> rs.next() ? rs.getLong(1) : -1L, name);
    }

    @Override
    public String toString() {
        return "KafkaCheckpointSink[" + topic + "]";
    }
}
