package dev.tokenbroker.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RefreshTimingTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final RefreshSettings settings = RefreshSettings.defaults();
    private final RefreshTiming timing = new RefreshTiming(settings);

    private static TokenSetRefreshState active(String user, Instant accessExpiry, Instant refreshExpiry, Instant lastSuccess) {
        return new TokenSetRefreshState(TokenSetId.of(user, "github"), "github", TokenSetStatus.ACTIVE, null, null, true,
                accessExpiry, refreshExpiry, Set.of(), 1, 1, lastSuccess, null, 0, null);
    }

    @Test
    void dueWhenAccessTokenExpiresWithinLeadTimeMinusADeterministicJitter() {
        TokenSetRefreshState state = active("u1", NOW.plusSeconds(3600), null, NOW);

        Instant due = timing.nextDueAt(state).orElseThrow();

        assertThat(due).isBetween(NOW.plusSeconds(3600).minus(Duration.ofMinutes(6)), NOW.plusSeconds(3600).minus(Duration.ofMinutes(5)));
        assertThat(timing.nextDueAt(state)).contains(due); // a replay computes the same due time
    }

    @Test
    void tokensLivingShorterThanTheLeadTimeAreRefreshedAtHalfTheirLifetimeNotAgainAtOnce() {
        // A refreshed 2-minute token with a 5-minute lead time would be due before it was even issued.
        TokenSetRefreshState linked = active("short", NOW.plusSeconds(120), null, NOW);
        TokenSetRefreshState state = new TokenSetRefreshState(linked.tokenSetId(), "github", TokenSetStatus.ACTIVE, null,
                null, true, NOW.plusSeconds(120), null, Set.of(), 2, 2, NOW, null, 0, null);
        assertThat(timing.nextDueAt(linked).orElseThrow()).isBefore(NOW);

        Instant due = timing.nextDueAt(state).orElseThrow();

        assertThat(due).isAfter(NOW).isBetween(NOW.plusSeconds(36), NOW.plusSeconds(60));
    }

    @Test
    void clusteredExpiriesAreSpreadByJitter() {
        Set<Instant> dues = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            dues.add(timing.nextDueAt(active("user-" + i, NOW.plusSeconds(3600), null, NOW)).orElseThrow());
        }
        assertThat(dues).hasSizeGreaterThan(90);
    }

    @Test
    void idleTokenSetsWithoutExpiryAreKeptAliveAndRefreshTokenExpiryIsHonored() {
        assertThat(timing.nextDueAt(active("u2", null, null, NOW)).orElseThrow())
                .isBetween(NOW.plus(Duration.ofDays(7)).minus(Duration.ofMinutes(1)), NOW.plus(Duration.ofDays(7)));
        assertThat(timing.nextDueAt(active("u3", null, NOW.plus(Duration.ofDays(1)), NOW)).orElseThrow())
                .isBefore(NOW.plus(Duration.ofDays(1)).minus(Duration.ofMinutes(5)).plusMillis(1));
    }

    @Test
    void nothingIsDueForTokenSetsThatNeedANewLinkOrHaveNoRefreshToken() {
        TokenSetRefreshState state = active("u4", NOW, null, NOW);
        assertThat(timing.nextDueAt(new TokenSetRefreshState(state.tokenSetId(), "github", TokenSetStatus.REAUTHORIZATION_REQUIRED,
                null, null, true, NOW, null, Set.of(), 1, 1, NOW, null, 0, null))).isEmpty();
        assertThat(timing.nextDueAt(new TokenSetRefreshState(state.tokenSetId(), "github", TokenSetStatus.ACTIVE,
                null, null, false, NOW, null, Set.of(), 1, 1, NOW, null, 0, null))).isEmpty();
    }

    @Test
    void backoffIsFullJitterUnderACappedExponentialCeilingAndNeverBeforeRetryAfter() {
        for (int failures = 1; failures <= 40; failures++) {
            long ceiling = Math.min(settings.backoffCap().toMillis(), settings.backoffBase().toMillis() << Math.min(failures - 1, 20));
            Instant retryAt = timing.retryAt(failures, NOW, Optional.empty());
            assertThat(retryAt).isBetween(NOW, NOW.plusMillis(ceiling));
        }
        Instant retryAfter = NOW.plus(Duration.ofHours(2));
        assertThat(timing.retryAt(1, NOW, Optional.of(retryAfter))).isEqualTo(retryAfter);
    }

    @Test
    void transientFailuresAreExhaustedAfterTheConfiguredPeriod() {
        TokenSetRefreshState failingSince = new TokenSetRefreshState(TokenSetId.of("u5", "github"), "github",
                TokenSetStatus.REFRESH_FAILING, null, null, true, NOW, null, Set.of(), 1, 1, NOW, NOW.minus(Duration.ofDays(3)),
                40, NOW);
        assertThat(timing.transientFailuresExhausted(failingSince, NOW)).isTrue();
        assertThat(timing.transientFailuresExhausted(failingSince, NOW.minus(Duration.ofMinutes(1)))).isFalse();
    }

    @Test
    void settingsNameTheSettingAndTheFix() {
        assertThatThrownBy(() -> RefreshSettings.defaults().withLeaseDuration(Duration.ZERO))
                .hasMessage("broker.refresh.lease-duration is PT0S: set it to a positive duration such as 30s or 5m");
        assertThatThrownBy(() -> RefreshSettings.defaults().withBackoff(Duration.ofMinutes(2), Duration.ofMinutes(1)))
                .hasMessageContaining("broker.refresh.backoff-cap");
    }
}
