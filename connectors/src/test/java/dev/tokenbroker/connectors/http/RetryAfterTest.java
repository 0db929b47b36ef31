package dev.tokenbroker.connectors.http;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void delaySecondsAreCountedFromNow() {
        assertThat(RetryAfter.parse("120", clock)).contains(Instant.parse("2026-03-01T10:02:00Z"));
    }

    @Test
    void httpDateIsTakenAsIs() {
        assertThat(RetryAfter.parse("Sun, 01 Mar 2026 10:05:00 GMT", clock)).contains(Instant.parse("2026-03-01T10:05:00Z"));
    }

    @Test
    void garbageMeansNoRetryAt() {
        assertThat(RetryAfter.parse("soon", clock)).isEmpty();
        assertThat(RetryAfter.parse(null, clock)).isEmpty();
        assertThat(RetryAfter.parse("-5", clock)).isEmpty();
    }

    @Test
    void gitHubRateLimitResetIsEpochSeconds() {
        assertThat(RetryAfter.parseEpochSeconds("1772359500")).contains(Instant.ofEpochSecond(1772359500));
        assertThat(RetryAfter.parseEpochSeconds("x")).isEmpty();
    }
}
