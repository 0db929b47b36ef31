package dev.tokenbroker.projections.integration.kafka;

/** A batch could not be published; the processor rolls it back with its tracking token and retries it. */
public final class KafkaPublishingException extends RuntimeException {

    public KafkaPublishingException(String message, Throwable cause) {
        super(message, cause);
    }
}
