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
 */
@ConfigurationProperties("broker.connect")
public record ConnectProperties(@DefaultValue("10m") Duration sessionTtl, URI publicUrl) {

    public ConnectProperties {
        if (sessionTtl.isNegative() || sessionTtl.isZero() || sessionTtl.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("broker.connect.session-ttl=" + sessionTtl
                    + " must be between 1s and 10m: connect URLs are single-use valet keys, keep them short-lived");
        }
        if (publicUrl != null && (!publicUrl.isAbsolute() || publicUrl.getHost() == null)) {
            throw new IllegalArgumentException("broker.connect.public-url=" + publicUrl
                    + " must be an absolute URL such as https://broker.example.com");
        }
    }
}
