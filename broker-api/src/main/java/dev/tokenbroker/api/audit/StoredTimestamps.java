package dev.tokenbroker.api.audit;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import org.axonframework.common.DateTimeUtils;

/**
 * Reads the event store's {@code timestamp} column. Axon writes it as {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}
 * ({@link DateTimeUtils#formatInstant}); that shape is read digit by digit here, because a formatter's parse costs
 * about a microsecond and the feed's export reads a million of them. Anything else (another writer, another
 * precision, an offset) goes through {@link DateTimeUtils#parseInstant}, so the result is the same either way.
 */
final class StoredTimestamps {

    private static final String SHAPE = "dddd-dd-ddTdd:dd:dd.dddZ";

    private StoredTimestamps() {
    }

    static Instant parse(String stored) {
        if (stored.length() == SHAPE.length() && hasShape(stored)) {
            try {
                int hour = number(stored, 11, 2);
                int minute = number(stored, 14, 2);
                int second = number(stored, 17, 2);
                if (hour < 24 && minute < 60 && second < 60) {
                    long day = LocalDate.of(number(stored, 0, 4), number(stored, 5, 2), number(stored, 8, 2)).toEpochDay();
                    return Instant.ofEpochSecond(day * 86_400 + hour * 3_600L + minute * 60L + second,
                            number(stored, 20, 3) * 1_000_000L);
                }
            } catch (DateTimeException e) {
                // not a date (e.g. 31 February): let the formatter say so
            }
        }
        return DateTimeUtils.parseInstant(stored);
    }

    private static boolean hasShape(String stored) {
        for (int i = 0; i < SHAPE.length(); i++) {
            char expected = SHAPE.charAt(i);
            char actual = stored.charAt(i);
            if (expected == 'd' ? actual < '0' || actual > '9' : actual != expected) {
                return false;
            }
        }
        return true;
    }

    private static int number(String stored, int from, int digits) {
        int value = 0;
        for (int i = from; i < from + digits; i++) {
            value = value * 10 + stored.charAt(i) - '0';
        }
        return value;
    }
}
