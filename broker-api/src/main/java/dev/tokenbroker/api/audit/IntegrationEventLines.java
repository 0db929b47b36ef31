package dev.tokenbroker.api.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.tokenbroker.projections.integration.IntegrationEvent;
import dev.tokenbroker.projections.integration.IntegrationEventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Integration events as NDJSON, one record a line, in the schema's bytes ({@link IntegrationEventJson}): one JSON
 * generator for the whole stream, so a record costs its serialization and no buffer, array or flush of its own.
 */
final class IntegrationEventLines implements AutoCloseable {

    private static final ObjectWriter WRITER = IntegrationEventJson.writer();

    private final JsonGenerator generator;

    IntegrationEventLines(OutputStream out) {
        try {
            this.generator = WRITER.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // records are separated by the newline written after each, not by the generator's default space
        generator.setRootValueSeparator(null);
        generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    /** Writes one record and its newline; an I/O failure is rethrown unchecked (a consumer cannot throw it). */
    void write(IntegrationEvent event) {
        try {
            WRITER.writeValue(generator, event);
            generator.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes what the generator holds into the stream (and the stream). */
    void flush() throws IOException {
        generator.flush();
    }

    @Override
    public void close() throws IOException {
        generator.close();
    }
}
