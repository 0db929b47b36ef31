package dev.tokenbroker.projections.integration.kafka;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.projections.integration.IntegrationEvent;

/**
 * {@code kafka_publisher_token_set}: the owner and last status of each token set, as the publisher
 * saw them. Runs in the publisher's batch transaction (Spring binds the connection), so a rolled back
 * batch rolls these rows back with the tracking token.
 */
public final class TokenSetOwners {

    private final JdbcTemplate jdbc;

    public TokenSetOwners(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    /**
     * Completes the event with its owner and, when it leaves the status unchanged, the current
     * status; records the status after it.
     *
     * @throws IllegalStateException when the token set was never seen linked (the publisher's table
     *                               was emptied while its tracking token was kept): reset the processor
     */
    public IntegrationEvent complete(IntegrationEvent event) {
        if (event.userId() != null && event.connectorId() != null) {
            jdbc.update("""
                    INSERT INTO kafka_publisher_token_set (token_set_id, user_id, connector_id, status)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT (token_set_id) DO UPDATE SET status = EXCLUDED.status""",
                    event.tokenSetId(), event.userId(), event.connectorId(), event.status().name());
            return event;
        }
        Owner owner = find(event.tokenSetId());
        IntegrationEvent completed = event.completedWith(owner.userId(), owner.connectorId(), owner.status());
        if (completed.status() != owner.status()) {
            jdbc.update("UPDATE kafka_publisher_token_set SET status = ? WHERE token_set_id = ?",
                    completed.status().name(), event.tokenSetId());
        }
        return completed;
    }

    private Owner find(UUID tokenSetId) {
        List<Owner> owners = jdbc.query(
                "SELECT user_id, connector_id, status FROM kafka_publisher_token_set WHERE token_set_id = ?",
                (rs, row) -> new Owner(rs.getString(1), rs.getString(2), TokenSetStatus.valueOf(rs.getString(3))),
                tokenSetId);
        if (owners.isEmpty()) {
            throw new IllegalStateException("the Kafka publisher never saw token set " + tokenSetId
                    + " linked; its table kafka_publisher_token_set was emptied: reset the kafka-publisher processor");
        }
        return owners.get(0);
    }

    /** Empties the table: a reset of the processor replays every link. */
    public void deleteAll() {
        jdbc.update("DELETE FROM kafka_publisher_token_set");
    }

    private record Owner(String userId, String connectorId, TokenSetStatus status) {
    }
}
