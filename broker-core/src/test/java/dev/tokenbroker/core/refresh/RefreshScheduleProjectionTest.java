package dev.tokenbroker.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenSetId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

class RefreshScheduleProjectionTest {

    private static final String ROWS = """
            SELECT token_set_id, connector_id, status, has_refresh_token, access_token_expires_at, refresh_token_expires_at,
                   token_version, refresh_token_version, last_success_at, first_failure_at, consecutive_failures, retry_at,
                   due_at, last_sequence
            FROM refresh_schedule ORDER BY token_set_id""";

    @TempDir
    Path directory;

    @Test
    void scheduleFollowsTheEventsAndARebuildGivesTheSameRows() {
        try (RefreshTestSetup setup = new RefreshTestSetup("refresh_schedule", directory);
             BrokerInstance broker = setup.instance("a", RefreshTestSetup.fastSettings())) {
            JdbcTemplate jdbc = new JdbcTemplate(broker.dataSource);
            Instant expiry = Instant.now().plus(Duration.ofHours(1));
            TokenSetId fresh = broker.link("fresh", setup.idp.issueGrant(), expiry);
            TokenSetId refreshed = broker.link("refreshed", setup.idp.issueGrant(), Instant.now().plusSeconds(30));
            String failingGrant = setup.idp.issueGrant();
            setup.idp.fail(failingGrant, new RotatingIdpSimulation.Status(503));
            TokenSetId failing = broker.link("failing", failingGrant, Instant.now().plusSeconds(30));
            String deadGrant = setup.idp.issueGrant();
            setup.idp.fail(deadGrant, new RotatingIdpSimulation.InvalidGrant(() -> { }));
            TokenSetId dead = broker.link("dead", deadGrant, Instant.now().plusSeconds(30));
            for (TokenSetId id : List.of(refreshed, failing, dead)) {
                broker.coordinator.refreshIfExpiringWithin(id, Duration.ofMinutes(1), Actor.apiClient("backend"));
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM refresh_schedule WHERE last_sequence >= 1", Integer.class) == 3);
            Map<String, Object> freshRow = jdbc.queryForMap("SELECT * FROM refresh_schedule WHERE token_set_id = ?", fresh.value());
            assertThat(freshRow.get("status")).isEqualTo("ACTIVE");
            assertThat(((java.sql.Timestamp) freshRow.get("due_at")).toInstant())
                    .isBetween(expiry.minus(Duration.ofMinutes(6)), expiry.minus(Duration.ofMinutes(5)));
            assertThat(jdbc.queryForObject("SELECT token_version FROM refresh_schedule WHERE token_set_id = ?", Long.class,
                    refreshed.value())).isEqualTo(2);
            assertThat(jdbc.queryForObject("SELECT due_at = retry_at FROM refresh_schedule WHERE token_set_id = ? AND status = 'REFRESH_FAILING'",
                    Boolean.class, failing.value())).isTrue();
            assertThat(jdbc.queryForObject("SELECT due_at IS NULL FROM refresh_schedule WHERE token_set_id = ? AND status = 'REAUTHORIZATION_REQUIRED'",
                    Boolean.class, dead.value())).isTrue();
            List<Map<String, Object>> before = jdbc.queryForList(ROWS);

            PooledStreamingEventProcessor processor = broker.axon.eventProcessingConfiguration()
                    .eventProcessor(RefreshScheduleProjection.PROCESSING_GROUP, PooledStreamingEventProcessor.class).orElseThrow();
            processor.shutDown();
            processor.resetTokens();
            processor.start();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(jdbc.queryForList(ROWS)).isEqualTo(before));
        }
    }
}
