package dev.tokenbroker.projections.chain;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A checkpoint as one JSON line (the file sink, the Kafka topic, the API): its claims for people to
 * read, and {@code jws}, the only field a verifier trusts.
 */
public final class CheckpointJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CheckpointJson() {
    }

    public static Map<String, Object> toMap(Checkpoint c) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("chainIndex", c.chainIndex());
        map.put("count", c.count());
        map.put("position", c.position());
        map.put("head", c.headText());
        map.put("signedAt", c.signedAt().toString());
        map.put("kid", c.keyId());
        map.put("jws", c.jws());
        return map;
    }

    public static String toLine(Checkpoint c) {
        try {
            return MAPPER.writeValueAsString(toMap(c));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JWS of a checkpoint line (a JSON object with {@code jws}, or a bare compact JWS). */
    public static String jwsOf(String line) {
        String trimmed = line.trim();
        if (!trimmed.startsWith("{")) {
            return trimmed;
        }
        try {
            JsonNode node = MAPPER.readTree(trimmed);
            JsonNode jws = node.get("jws");
            if (jws == null || !jws.isTextual()) {
                throw new IllegalArgumentException("checkpoint line without a jws field");
            }
            return jws.asText();
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint line is not JSON", e);
        }
    }
}
