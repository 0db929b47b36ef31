package dev.tokenbroker.api.database;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the broker waits for its database.
 *
 * @param requestTimeout the longest a request spends on the database, all its touches together (the time it holds
 *                       connections, waiting for the pool included; time on an IdP does not count); past it the
 *                       request gets a 503 with {@code Retry-After}. A database that hangs (paused, or behind a
 *                       network black hole) would otherwise hold every request that reaches it. Not applied to
 *                       {@code /v1/admin/} and {@code /v1/audit/} (operator work runs as long as it takes), to
 *                       streamed exports, or to background work (refreshes, projections, rebuilds): those wait for
 *                       the database and carry on, so no IdP answer is dropped.
 */
@ConfigurationProperties("broker.database")
public record DatabaseProperties(@DefaultValue("5s") Duration requestTimeout) {

    public DatabaseProperties {
        if (requestTimeout == null || requestTimeout.compareTo(Duration.ofMillis(100)) < 0
                || requestTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("broker.database.request-timeout=" + requestTimeout
                    + " is out of range: set a duration from 100ms to 10m (default 5s)");
        }
    }
}
