package dev.tokenbroker.projections.integration;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON form of an {@link IntegrationEvent}, fixed here rather than taken from the application's
 * {@code ObjectMapper}: the bytes on the wire are a published contract (ISO-8601 instants, absent
 * rather than {@code null} fields) and must not change with someone's Jackson defaults.
 */
public final class IntegrationEventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // consumers of a v1 record must accept fields added later: readers ignore what they do not know
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final ObjectWriter WRITER = MAPPER.writerFor(IntegrationEvent.class)
            .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private IntegrationEventJson() {
    }

    public static byte[] write(IntegrationEvent event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write integration event " + event.eventId(), e);
        }
    }

    /**
     * The writer behind {@link #write}, for streams of records (one generator for many records, e.g. an NDJSON
     * export): the same bytes per record, and no flush after each.
     */
    public static ObjectWriter writer() {
        return WRITER;
    }

    public static IntegrationEvent read(byte[] json) {
        try {
            return MAPPER.readValue(json, IntegrationEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not an integration event", e);
        }
    }
}
