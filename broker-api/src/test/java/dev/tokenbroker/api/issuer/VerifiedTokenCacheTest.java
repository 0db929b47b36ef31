package dev.tokenbroker.api.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** The rules of the verified-token cache, without a database: never past exp, never for an untrusted key, bounded. */
class VerifiedTokenCacheTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicInteger verified = new AtomicInteger();
    private final Set<String> trusted = new HashSet<>(Set.of("k1"));
    private final JwtDecoder delegate = token -> {
        if (token.startsWith("bad")) {
            throw new BadJwtException("bad");
        }
        verified.incrementAndGet();
        return Jwt.withTokenValue(token).header("alg", "RS256").header("kid", token.split(":")[0])
                .subject("c").issuedAt(T0).expiresAt(T0.plusSeconds(600)).build();
    };
    private final VerifiedTokenCache cache = new VerifiedTokenCache(delegate, trusted::contains, clock, 3);

    @Test
    void aTokenIsFoundInPlaceInItsHeaderWhateverItsLengthAndOnlyTheSameTokenMatches() {
        // around the hasher's 512-character chunks, and a non-ASCII token hashed the plain way
        for (String token : new String[] {"k1:a", "k1:" + "x".repeat(509), "k1:" + "v".repeat(510), "k1:" + "y".repeat(2000),
                "k1:\u00e9t\u00e9"}) {
            cache.decode(token);
            assertThat(cache.remembered("Bearer " + token, "Bearer ".length())).as(token).isNotNull()
                    .extracting(Jwt::getTokenValue).isEqualTo(token);
            assertThat(cache.remembered("Bearer " + token + "z", "Bearer ".length())).as("one character more").isNull();
            assertThat(cache.remembered("Bearer " + token.substring(0, token.length() - 1), "Bearer ".length()))
                    .as("one character less").isNull();
            assertThat(cache.remembered(token.substring(0, token.length() - 1) + "w")).as("last character changed").isNull();
        }
        assertThat(verified).hasValue(5);
    }

    @Test
    void verifiesOnceUntilExpThenAgain() {
        assertThat(cache.decode("k1:a").getSubject()).isEqualTo("c");
        assertThat(cache.decode("k1:a").getSubject()).isEqualTo("c");
        assertThat(verified).hasValue(1);

        clock.now = T0.plusSeconds(600);
        cache.decode("k1:a");
        assertThat(verified).as("at exp the token goes through the full check again").hasValue(2);
    }

    @Test
    void aKeyNoLongerTrustedIsNotServedFromTheCache() {
        cache.decode("k1:a");
        trusted.remove("k1");
        cache.decode("k1:a");
        assertThat(verified).hasValue(2);
        assertThat(cache.size()).as("an untrusted key's token is not cached").isZero();
    }

    @Test
    void failuresAreNotCachedAndTheSizeIsBounded() {
        assertThatThrownBy(() -> cache.decode("bad")).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> cache.decode("bad")).isInstanceOf(BadJwtException.class);
        for (int i = 0; i < 10; i++) {
            cache.decode("k1:" + i);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(3);
    }

    @Test
    void rememberedAnswersOnlyWhatDecodeVerifiedUnderTheSameRulesAndNeverVerifies() {
        assertThat(cache.remembered("k1:a")).as("never verified").isNull();
        assertThat(cache.remembered("bad")).isNull();
        assertThat(verified).as("remembered() verifies nothing").hasValue(0);

        cache.decode("k1:a");
        assertThat(cache.remembered("k1:a").getSubject()).isEqualTo("c");

        trusted.remove("k1");
        assertThat(cache.remembered("k1:a")).as("key no longer trusted").isNull();
        trusted.add("k1");
        cache.decode("k1:a");
        clock.now = T0.plusSeconds(600);
        assertThat(cache.remembered("k1:a")).as("at exp").isNull();
        assertThat(verified).hasValue(2);
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
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
