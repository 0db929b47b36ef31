package dev.tokenbroker.api.connect;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.connect.*}: the browser side of linking an account.
 *
 * @param sessionTtl how long a connect URL can be used (at most 10 minutes; default 10 minutes)
 * @param publicUrl  the broker's external base URL (e.g. {@code https://broker.example.com}); the
 *                   IdP callback is {@code <publicUrl>/v1/oauth/callback}, which must be registered
 *                   at every IdP. When unset, URLs are derived from the request (fine for localhost).
 * @param maxOpenSessionsPerClient how many unfinished, unexpired connect sessions one API client may hold
 *                   (default 10,000); beyond it creation answers 429, so a runaway or compromised backend
 *                   cannot grow the session table without bound
 */
@ConfigurationProperties("broker.connect")
public record ConnectProperties(@DefaultValue("10m") Duration sessionTtl, URI publicUrl,
                                @DefaultValue("10000") int maxOpenSessionsPerClient) {

    public ConnectProperties {
        if (sessionTtl.isNegative() || sessionTtl.isZero() || sessionTtl.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("broker.connect.session-ttl=" + sessionTtl
                    + " must be between 1s and 10m: connect URLs are single-use valet keys, keep them short-lived");
        }
        if (maxOpenSessionsPerClient < 1 || maxOpenSessionsPerClient > 1_000_000) {
            throw new IllegalArgumentException("broker.connect.max-open-sessions-per-client=" + maxOpenSessionsPerClient
                    + " must be between 1 and 1000000 (default 10000)");
        }
        if (publicUrl != null && (!publicUrl.isAbsolute() || publicUrl.getHost() == null)) {
            throw new IllegalArgumentException("broker.connect.public-url=" + publicUrl
                    + " must be an absolute URL such as https://broker.example.com");
        }
    }
}
