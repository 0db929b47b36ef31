package dev.tokenbroker.api.issuer;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits on client authentication at the token endpoint ({@code broker.issuer.client-authentication.*}); see
 * {@link ClientAuthenticationGuard}. All limits are <b>per broker instance</b> (in memory): with N instances behind a
 * load balancer an attacker gets up to N times the budget.
 *
 * @param failuresPerAddress  failed authentications one source address may make per {@code window} (token bucket:
 *                            this many at once, then one every {@code window / failuresPerAddress})
 * @param failuresPerClient   failed authentications per client id per {@code window}, from addresses that have not
 *                            authenticated as that client before
 * @param window              the refill period of both buckets
 * @param maxConcurrentHashes secret checks (bcrypt) running at once; {@code 0}: half the processors, at least one
 * @param hashWait            how long a request waits for a free secret check before it is answered 503
 * @param maxTrackedKeys      addresses / client ids / known-good pairs remembered each (LRU): bounds the memory an
 *                            attacker with many addresses or client ids can make the broker use
 * @param knownGoodTtl        how long an address that authenticated as a client stays exempt from that client's
 *                            failure limit
 */
@ConfigurationProperties("broker.issuer.client-authentication")
public record ClientAuthenticationLimitProperties(
        @DefaultValue("20") int failuresPerAddress,
        @DefaultValue("30") int failuresPerClient,
        @DefaultValue("1m") Duration window,
        @DefaultValue("0") int maxConcurrentHashes,
        @DefaultValue("500ms") Duration hashWait,
        @DefaultValue("10000") int maxTrackedKeys,
        @DefaultValue("24h") Duration knownGoodTtl) {

    public ClientAuthenticationLimitProperties {
        if (failuresPerAddress < 1 || failuresPerClient < 1 || maxTrackedKeys < 1 || maxConcurrentHashes < 0) {
            throw new IllegalArgumentException("broker.issuer.client-authentication: limits must be positive");
        }
        if (window.isNegative() || window.isZero() || hashWait.isNegative() || knownGoodTtl.isNegative()) {
            throw new IllegalArgumentException("broker.issuer.client-authentication: durations must be positive");
        }
    }

    /** The effective number of concurrent secret checks. */
    public int concurrentHashes() {
        return maxConcurrentHashes > 0 ? maxConcurrentHashes : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
