package dev.tokenbroker.api.issuer;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.issuer.*}: the broker's own client-credentials issuer for its API clients.
 *
 * @param accessTokenTtl     lifetime of an API access token (1 minute to 1 hour; default 10 minutes)
 * @param keyReloadInterval  how often each instance re-reads the signing keys in full
 * @param keyCheckInterval   how often each instance compares a fingerprint of the stored signing keys and
 *                           reloads them when it changed: the bound (default 1 s) within which a rotation or a
 *                           revocation on another instance applies, also to verified tokens cached here
 * @param clientCacheTtl     how long an API client's registration is cached for the request path: the bound
 *                           (default 1 s) within which a permission change or deletion on another instance applies
 */
@ConfigurationProperties("broker.issuer")
public record IssuerProperties(
        @DefaultValue("10m") Duration accessTokenTtl,
        @DefaultValue("30s") Duration keyReloadInterval,
        @DefaultValue("1s") Duration keyCheckInterval,
        @DefaultValue("1s") Duration clientCacheTtl) {

    public IssuerProperties {
        if (accessTokenTtl.compareTo(Duration.ofMinutes(1)) < 0 || accessTokenTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("broker.issuer.access-token-ttl=" + accessTokenTtl
                    + " is outside 1m..1h: API tokens are bearer tokens, keep them short-lived (default 10m)");
        }
        if (keyReloadInterval.isNegative() || keyReloadInterval.isZero()) {
            throw new IllegalArgumentException("broker.issuer.key-reload-interval must be positive (default 30s)");
        }
        if (keyCheckInterval.isNegative() || keyCheckInterval.compareTo(keyReloadInterval) > 0) {
            throw new IllegalArgumentException("broker.issuer.key-check-interval must be 0..key-reload-interval (default 1s)");
        }
        if (clientCacheTtl.isNegative() || clientCacheTtl.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("broker.issuer.client-cache-ttl must be 0..1m (default 1s)");
        }
    }

    /** Retired signing keys are kept while tokens they signed can still be valid, plus clock skew. */
    public Duration retiredKeyRetention() {
        return accessTokenTtl.multipliedBy(2).plusMinutes(1);
    }
}
