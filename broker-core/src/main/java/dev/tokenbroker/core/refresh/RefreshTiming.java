package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a token set is due for a refresh, and how long to back off after a transient failure.
 *
 * <p>The due time is the earliest of: access-token expiry minus the lead time, the keep-alive (last success plus
 * the keep-alive interval) and the refresh-token expiry minus the lead time; each moved earlier by a jitter in
 * {@code [0, jitter)}. The jitter is derived from (token set, token version), not drawn at random, so the
 * refresh-schedule projection computes the same due time when it is replayed (rebuilds give the same rows) and
 * expiries that cluster still spread out. After a transient failure the due time is the recorded retry time.
 */
public final class RefreshTiming {

    private final RefreshSettings settings;

    public RefreshTiming(RefreshSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Empty when there is nothing to schedule (no refresh token, or a status that needs a new link). */
    public Optional<Instant> nextDueAt(TokenSetRefreshState state) {
        if (!state.refreshable()) {
            return Optional.empty();
        }
        if (state.status() == TokenSetStatus.REFRESH_FAILING && state.retryAt() != null) {
            return Optional.of(state.retryAt());
        }
        Duration jitter = jitterFor(state.tokenSetId(), state.tokenVersion());
        Instant due = state.lastSuccessAt().plus(settings.keepAliveInterval()).minus(jitter);
        if (state.accessTokenExpiresAt() != null) {
            // Tokens that live shorter than the lead time would be due again right after every refresh (a hot
            // loop against the IdP, e.g. Keycloak's default 5-minute tokens with a 5-minute lead): once such a
            // token set has been refreshed, refresh it at half the token's lifetime, with the jitter scaled alike.
            // Right after a link it is refreshed as soon as it is due, as before.
            Duration lifetime = Duration.between(state.lastSuccessAt(), state.accessTokenExpiresAt());
            Duration lead = settings.leadTime();
            Duration accessJitter = jitter;
            if (state.tokenVersion() > 1 && !lifetime.isNegative() && lifetime.dividedBy(2).compareTo(lead) < 0) {
                Duration shorter = lifetime.dividedBy(2);
                accessJitter = lead.isZero() ? Duration.ZERO
                        : Duration.ofNanos((long) (jitter.toNanos() * ((double) shorter.toNanos() / lead.toNanos())));
                lead = shorter;
            }
            due = earliest(due, state.accessTokenExpiresAt().minus(lead).minus(accessJitter));
        }
        if (state.refreshTokenExpiresAt() != null) {
            due = earliest(due, state.refreshTokenExpiresAt().minus(settings.leadTime()).minus(jitter));
        }
        return Optional.of(due);
    }

    public boolean isDue(TokenSetRefreshState state, Instant now) {
        return nextDueAt(state).map(due -> !due.isAfter(now)).orElse(false);
    }

    /**
     * Capped exponential backoff with full jitter: random in {@code [0, min(cap, base * 2^(failures-1))]}, but never
     * before the IdP's {@code Retry-After} / rate-limit reset.
     *
     * @see <a href="https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/">Exponential backoff and jitter</a>
     */
    public Instant retryAt(int consecutiveFailures, Instant now, Optional<Instant> upstreamRetryAt) {
        int exponent = Math.max(0, Math.min(consecutiveFailures - 1, 30));
        long baseMillis = settings.backoffBase().toMillis();
        long capMillis = settings.backoffCap().toMillis();
        long ceiling = baseMillis > capMillis >> exponent ? capMillis : Math.min(capMillis, baseMillis << exponent);
        Instant backoff = now.plusMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
        return upstreamRetryAt.filter(backoff::isBefore).orElse(backoff);
    }

    public boolean transientFailuresExhausted(TokenSetRefreshState state, Instant now) {
        return state.firstFailureAt() != null
                && !state.firstFailureAt().plus(settings.maxTransientFailurePeriod()).isAfter(now);
    }

    private Duration jitterFor(TokenSetId tokenSetId, long tokenVersion) {
        long jitterMillis = settings.jitter().toMillis();
        if (jitterMillis == 0) {
            return Duration.ZERO;
        }
        long mixed = tokenSetId.value().getMostSignificantBits() ^ tokenSetId.value().getLeastSignificantBits()
                ^ (tokenVersion * 0x9E3779B97F4A7C15L);
        mixed ^= mixed >>> 33;
        mixed *= 0xff51afd7ed558ccdL;
        mixed ^= mixed >>> 33;
        return Duration.ofMillis(Math.floorMod(mixed, jitterMillis));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
