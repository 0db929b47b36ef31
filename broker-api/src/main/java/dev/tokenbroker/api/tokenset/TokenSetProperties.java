package dev.tokenbroker.api.tokenset;

import dev.tokenbroker.core.command.TokenSetAggregateConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.token-sets.*}: how token sets are stored.
 *
 * @param snapshotThreshold events between two snapshots of a token set (default
 *                          {@value TokenSetAggregateConfiguration#DEFAULT_SNAPSHOT_THRESHOLD}): loading a token set
 *                          reads its latest snapshot and at most this many events, however long its history
 */
@ConfigurationProperties("broker.token-sets")
public record TokenSetProperties(@DefaultValue("" + TokenSetAggregateConfiguration.DEFAULT_SNAPSHOT_THRESHOLD)
                                 int snapshotThreshold) {

    public TokenSetProperties {
        if (snapshotThreshold < 2 || snapshotThreshold > 10_000) {
            throw new IllegalArgumentException("broker.token-sets.snapshot-threshold=" + snapshotThreshold
                    + " must be between 2 and 10000 events; the default, "
                    + TokenSetAggregateConfiguration.DEFAULT_SNAPSHOT_THRESHOLD + ", suits every IdP");
        }
    }
}
