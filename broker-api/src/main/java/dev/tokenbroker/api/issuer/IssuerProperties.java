package dev.tokenbroker.api.issuer;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.issuer.*}: the broker's own client-credentials issuer for its API clients.
 *
 * @param accessTokenTtl     lifetime of an API access token (1 minute to 1 hour; default 10 minutes)
 * @param keyReloadInterval  how often each instance re-reads the signing keys (picks up rotations)
 */
@ConfigurationProperties("broker.issuer")
public record IssuerProperties(
        @DefaultValue("10m") Duration accessTokenTtl,
        @DefaultValue("30s") Duration keyReloadInterval) {

    public IssuerProperties {
        if (accessTokenTtl.compareTo(Duration.ofMinutes(1)) < 0 || accessTokenTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("broker.issuer.access-token-ttl=" + accessTokenTtl
                    + " is outside 1m..1h: API tokens are bearer tokens, keep them short-lived (default 10m)");
        }
        if (keyReloadInterval.isNegative() || keyReloadInterval.isZero()) {
            throw new IllegalArgumentException("broker.issuer.key-reload-interval must be positive (default 30s)");
        }
    }

    /** Retired signing keys are kept while tokens they signed can still be valid, plus clock skew. */
    public Duration retiredKeyRetention() {
        return accessTokenTtl.multipliedBy(2).plusMinutes(1);
    }
}
