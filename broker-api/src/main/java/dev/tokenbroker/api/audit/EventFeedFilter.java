package dev.tokenbroker.api.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.CRC32;

/**
 * What the audit feed's caller asked for; every part optional. {@code types} are integration-event
 * type names ({@code linked}, {@code access-token-handed-out}, ...); {@code from} is inclusive,
 * {@code to} exclusive.
 */
record EventFeedFilter(String userId, String connectorId, List<String> types, String clientId, Instant from,
                       Instant to) {

    EventFeedFilter {
        types = types == null ? List.of() : List.copyOf(types);
    }

    static EventFeedFilter none() {
        return new EventFeedFilter(null, null, List.of(), null, null, null);
    }

    /** A short digest of the filter, carried in cursors so one is not reused with another filter. */
    String tag() {
        String canonical = String.join("\u0000", String.valueOf(userId), String.valueOf(connectorId),
                String.join(",", types.stream().sorted().toList()), String.valueOf(clientId),
                String.valueOf(from), String.valueOf(to));
        CRC32 crc = new CRC32();
        crc.update(canonical.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
