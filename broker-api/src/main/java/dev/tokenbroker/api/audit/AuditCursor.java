package dev.tokenbroker.api.audit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The feed's opaque cursor: a global position in the event store plus a tag of the filter it was handed
 * out with. Pure data (no server-side state), so it stays valid across restarts and on every instance;
 * the filter tag makes a cursor of one filtered query unusable with another filter, where it could skip
 * events (the cursor may have advanced past events that matched only the other filter).
 *
 * <p>Encoding: base64url without padding of {@code v1:<position>:<filter tag>}.
 */
record AuditCursor(long position, String filterTag) {

    private static final Pattern FORMAT = Pattern.compile("v1:(0|[1-9][0-9]{0,18}):([0-9a-f]{8})");

    AuditCursor {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative");
        }
    }

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("v1:" + position + ":" + filterTag).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor, or empty when the text is not one this broker handed out. */
    static Optional<AuditCursor> decode(String text) {
        if (text == null || text.length() > 64) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
            Matcher matcher = FORMAT.matcher(decoded);
            if (!matcher.matches()) {
                return Optional.empty();
            }
            return Optional.of(new AuditCursor(Long.parseLong(matcher.group(1)), matcher.group(2)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
