package dev.tokenbroker.connectors.http;

import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads when an IdP wants to be called again.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3">RFC 9110 §10.2.3 Retry-After</a>
 * @see <a href="https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api">GitHub rate limit headers</a>
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    /** {@code Retry-After}: either delay-seconds or an HTTP-date (IMF-fixdate). */
    public static Optional<Instant> parse(String headerValue, Clock clock) {
        if (headerValue == null || headerValue.isBlank()) {
            return Optional.empty();
        }
        String value = headerValue.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(clock.instant().plusSeconds(Long.parseLong(value)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** GitHub's {@code x-ratelimit-reset}: UTC epoch seconds when the rate-limit window resets. */
    public static Optional<Instant> parseEpochSeconds(String headerValue) {
        if (headerValue == null || headerValue.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(headerValue.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
