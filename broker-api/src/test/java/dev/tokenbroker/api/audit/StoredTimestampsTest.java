package dev.tokenbroker.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.axonframework.common.DateTimeUtils;
import org.junit.jupiter.api.Test;

class StoredTimestampsTest {

    @Test
    void readsWhatAxonWritesAsAxonReadsIt() {
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 10_000; i++) {
            // 1970 to 2100, millisecond precision, as the event store holds them
            Instant instant = Instant.ofEpochMilli(random.nextLong(4_102_444_800_000L));
            String stored = DateTimeUtils.formatInstant(instant);
            assertThat(StoredTimestamps.parse(stored)).isEqualTo(DateTimeUtils.parseInstant(stored)).isEqualTo(instant);
        }
    }

    @Test
    void leavesOtherShapesToAxonsParser() {
        for (String other : new String[] {"2026-11-30T03:28:41Z", "2026-11-30T03:28:41.123456789Z",
                "2026-11-30T04:28:41.123+01:00", "2024-02-29T23:59:59.999Z",
                // the shape, but not a date or time: whatever Axon's parser makes of it
                "2026-02-31T00:00:00.000Z", "2026-11-30T24:00:00.000Z"}) {
            assertThat(outcome(() -> StoredTimestamps.parse(other)))
                    .isEqualTo(outcome(() -> DateTimeUtils.parseInstant(other)));
        }
        assertThatThrownBy(() -> StoredTimestamps.parse("not-a-time-at-all-000000Z"))
                .isInstanceOf(DateTimeParseException.class);
    }

    /** The instant, or the kind of exception. */
    private static Object outcome(Supplier<Instant> parse) {
        try {
            return parse.get();
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }
}
