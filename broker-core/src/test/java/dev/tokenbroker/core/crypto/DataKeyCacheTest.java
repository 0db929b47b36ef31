package dev.tokenbroker.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.Aead;
import dev.tokenbroker.core.api.TokenSetId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DataKeyCacheTest {

    private static final Aead KEY = new Aead() {
        @Override
        public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
            return plaintext;
        }

        @Override
        public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
            return ciphertext;
        }
    };

    private final MutableClock clock = new MutableClock();
    private final DataKeyCache cache = new DataKeyCache(2, Duration.ofMinutes(5), clock);
    private final DataKeyId a = new DataKeyId(TokenSetId.of("u", "a"), 1);
    private final DataKeyId b = new DataKeyId(TokenSetId.of("u", "b"), 1);
    private final DataKeyId c = new DataKeyId(TokenSetId.of("u", "c"), 1);

    @Test
    void expiredEntriesAreGone() {
        cache.put(a, KEY, cache.generation());
        clock.advance(Duration.ofMinutes(4));
        assertThat(cache.get(a)).isSameAs(KEY);
        clock.advance(Duration.ofMinutes(1));
        assertThat(cache.get(a)).isNull();
    }

    @Test
    void leastRecentlyUsedGoesFirstWhenFull() {
        cache.put(a, KEY, cache.generation());
        cache.put(b, KEY, cache.generation());
        cache.get(a);
        cache.put(c, KEY, cache.generation());

        assertThat(cache.get(b)).isNull();
        assertThat(cache.get(a)).isSameAs(KEY);
        assertThat(cache.get(c)).isSameAs(KEY);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void invalidatingATokenSetDropsEveryVersion() {
        DataKeyId a2 = new DataKeyId(a.tokenSetId(), 2);
        cache.put(a, KEY, cache.generation());
        cache.put(a2, KEY, cache.generation());

        cache.invalidate(a.tokenSetId());

        assertThat(cache.get(a)).isNull();
        assertThat(cache.get(a2)).isNull();
    }

    @Test
    void aKeyLoadedBeforeAnInvalidationIsNotCached() {
        long generation = cache.generation();
        cache.invalidate(a.tokenSetId()); // an erase lands while the key was being loaded

        cache.put(a, KEY, generation);

        assertThat(cache.get(a)).isNull();
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
