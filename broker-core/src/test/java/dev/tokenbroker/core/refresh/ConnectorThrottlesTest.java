package dev.tokenbroker.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorThrottlesTest {

    private final RefreshSettings settings = new RefreshSettings(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofDays(7),
            Duration.ofDays(3), Duration.ofSeconds(10), Duration.ofHours(1), 100, Duration.ofSeconds(1), Duration.ofMinutes(2),
            Duration.ofSeconds(10), 32, ConnectorLimit.DEFAULT, Map.of("github", new ConnectorLimit(2, 1_000)));
    private final ConnectorThrottles throttles = new ConnectorThrottles(settings, Clock.systemUTC());

    private static Instant soon() {
        return Instant.now().plusMillis(100);
    }

    @Test
    void forConnectorWhenAskedTwiceThenTheSameThrottleAndAnotherOneForAnotherConnector() {
        assertThat(throttles.forConnector("github")).isSameAs(throttles.forConnector("github"))
                .isNotSameAs(throttles.forConnector("google"));
    }

    @Test
    void acquireWhenTheConnectorsConcurrencyLimitIsReachedThenNoPermitUntilOneIsReleased() throws InterruptedException {
        ConnectorThrottle github = throttles.forConnector("github");
        assertThat(github.acquire(soon())).isTrue();
        assertThat(github.acquire(soon())).isTrue();

        assertThat(github.acquire(soon())).as("third concurrent call beyond max-concurrent-refreshes 2").isFalse();
        assertThat(github.inFlight(settings.limitFor("github"))).isEqualTo(2);

        github.release();
        assertThat(github.acquire(soon())).isTrue();
    }

    @Test
    void acquireWhenAnotherConnectorIsAtItsLimitThenThisConnectorIsNotHeldBack() throws InterruptedException {
        ConnectorThrottle github = throttles.forConnector("github");
        assertThat(github.acquire(soon())).isTrue();
        assertThat(github.acquire(soon())).isTrue();

        ConnectorThrottle google = throttles.forConnector("google");
        for (int i = 0; i < 3; i++) {
            assertThat(google.acquire(soon())).isTrue();
        }
        assertThat(google.inFlight(settings.limitFor("google"))).isEqualTo(3);
    }

    @Test
    void pauseUntilARateLimitResetHoldsBackOnlyThatConnector() throws InterruptedException {
        throttles.forConnector("github").pauseUntil(Instant.now().plus(Duration.ofHours(1)));

        assertThat(throttles.forConnector("github").acquire(soon())).isFalse();
        assertThat(throttles.forConnector("google").acquire(soon())).isTrue();
    }

    @Test
    void limitsComeFromTheSettingsPerConnectorWithTheDefaultForOthers() throws InterruptedException {
        ConnectorThrottle other = throttles.forConnector("other");
        for (int i = 0; i < ConnectorLimit.DEFAULT.maxConcurrentRefreshes(); i++) {
            assertThat(other.acquire(soon())).isTrue();
        }
        assertThat(other.acquire(soon())).isFalse();
    }
}
