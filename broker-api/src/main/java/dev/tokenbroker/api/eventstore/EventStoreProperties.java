package dev.tokenbroker.api.eventstore;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.event-store.*}: how long Axon's tracking processors (read models, the Kafka publisher,
 * the event chain) wait for a global index that was taken but not yet committed (see
 * {@code docs/tamper-evidence.md}, "Late events").
 *
 * <p>{@code globalindex} is a sequence: a transaction takes index 7, the one that took 8 commits first,
 * and processors see 8 before 7. Axon's {@code GapAwareTrackingToken} remembers 7 as a gap and delivers
 * it when it appears — unless the event read after the gap is older than {@code gapTimeout} (then no gap
 * is recorded at all), the gap was cleaned because the event after it is older than {@code gapTimeout},
 * or the processor moved more than {@code maxGapOffset} positions past it. An event whose index is given
 * up on is never delivered to that processor. Axon's defaults (60 s, 250, 10,000) lose events when one
 * transaction is slow under CPU starvation (seen here at load ~90 on 2 cores) or when 10,000 events are
 * appended while it is open.
 *
 * @param gapTimeout           wait at least this long for a taken index. An event's timestamp is taken when
 *                             the command applies it, inside its transaction, so the wait must exceed the
 *                             applying-to-committing time of two overlapping transactions plus the clock skew
 *                             between instances: at least twice the longest transaction the database allows.
 *                             Default 10 min; keep PostgreSQL's {@code idle_in_transaction_session_timeout} (and
 *                             on 17+ {@code transaction_timeout}) for the broker's writes below half of it
 * @param gapCleaningThreshold gaps a token carries before Axon drops those older than {@code gapTimeout}; each
 *                             gap is one more {@code IN (…)} value per fetch (default 250, Axon's)
 * @param maxGapOffset         how far (in positions) a processor keeps a gap behind its newest event: must exceed
 *                             the events appended while one transaction is open (default 100,000: 10 min at
 *                             160 events/s, 1 min at 1,600). Not larger by default: gap cleaning reads every row
 *                             between the oldest and the newest gap into memory, so this bounds that read too
 */
@ConfigurationProperties("broker.event-store")
public record EventStoreProperties(
        @DefaultValue("10m") Duration gapTimeout,
        @DefaultValue("250") int gapCleaningThreshold,
        @DefaultValue("100000") int maxGapOffset) {

    public EventStoreProperties {
        if (gapTimeout.compareTo(Duration.ofSeconds(1)) < 0 || gapTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("broker.event-store.gap-timeout=" + gapTimeout
                    + " must be between 1s and 1d (default 10m: at least twice the longest write transaction)");
        }
        if (gapCleaningThreshold < 1) {
            throw new IllegalArgumentException("broker.event-store.gap-cleaning-threshold=" + gapCleaningThreshold
                    + " must be at least 1 (default 250)");
        }
        if (maxGapOffset < 10_000) {
            throw new IllegalArgumentException("broker.event-store.max-gap-offset=" + maxGapOffset
                    + " must be at least 10000 (Axon's default; the broker's is 100000): a smaller offset"
                    + " drops the index of a transaction that is still open while that many events are appended");
        }
    }

    int gapTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, gapTimeout.toMillis());
    }
}
