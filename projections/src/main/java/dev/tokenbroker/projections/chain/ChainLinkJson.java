package dev.tokenbroker.projections.chain;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The export's line format: one JSON object per {@link ChainLink}, field names as in
 * {@code docs/tamper-evidence.md}, hashes base64url without padding.
 */
public final class ChainLinkJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private ChainLinkJson() {
    }

    /** Writes the link as one line (with its {@code \n}). */
    public static void writeLine(ChainLink link, OutputStream out) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeNumberField("position", link.position());
            json.writeNumberField("chainIndex", link.chainIndex());
            json.writeStringField("eventId", link.eventId());
            json.writeStringField("aggregateId", link.aggregateId());
            json.writeNumberField("sequenceNumber", link.sequenceNumber());
            json.writeStringField("type", link.type());
            json.writeStringField("payloadType", link.payloadType());
            json.writeStringField("payloadRevision", link.payloadRevision());
            json.writeStringField("timestamp", link.timestamp());
            json.writeStringField("payloadSha256", ChainLink.encode(link.payloadSha256()));
            json.writeStringField("metadataSha256", ChainLink.encode(link.metadataSha256()));
            json.writeStringField("digest", ChainLink.encode(link.digest()));
            json.writeEndObject();
        }
        out.write('\n');
    }

    public static String toLine(ChainLink link) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(512);
        try {
            writeLine(link, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8).stripTrailing();
    }

    /**
     * Reads one line. Besides the chain's own export this accepts any JSON object with these fields
     * (for example an audit-feed record that carries them), ignoring other fields.
     */
    public static ChainLink read(String line) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON object: " + abbreviate(line), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object: " + abbreviate(line));
        }
        return new ChainLink(number(node, "position"), number(node, "chainIndex"), text(node, "eventId"),
                text(node, "aggregateId"), number(node, "sequenceNumber"), text(node, "type"),
                text(node, "payloadType"), text(node, "payloadRevision"), text(node, "timestamp"),
                ChainLink.decode(text(node, "payloadSha256")), ChainLink.decode(text(node, "metadataSha256")),
                ChainLink.decode(text(node, "digest")));
    }

    private static long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new IllegalArgumentException("field " + field + " must be a number");
        }
        return value.asLong();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "...";
    }
}
