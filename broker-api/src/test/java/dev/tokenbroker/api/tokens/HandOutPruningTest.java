package dev.tokenbroker.api.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.core.api.TokenSetId;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code token_hand_out} keeps what the dedupe of hand-out events needs, and nothing it can never need again. */
@BrokerApiTest
class HandOutPruningTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    HandOutPruning pruning;

    @Test
    void supersededAndErasedHandOutsGoTheCurrentOnesAndUnknownTokenSetsStay() throws Exception {
        ApiClients api = new ApiClients(port);
        String appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        new DemoLinking(api).link(appToken, "kate", "kate-upstream");
        await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/kate/connections/demo/token", backendToken).statusCode() == 200);
        UUID kate = TokenSetId.of("kate", "demo").value();
        long current = jdbc.queryForObject("select token_version from token_set_view where token_set_id = ?",
                Long.class, kate);
        // an older version's hand-out, as a refresh leaves behind, and one of a token set the view has no row for
        // (a rebuild not there yet)
        jdbc.update("insert into token_hand_out values ('test-backend', ?, ?, now())", kate, current - 1);
        UUID notInTheView = UUID.randomUUID();
        jdbc.update("insert into token_hand_out values ('test-backend', ?, 1, now())", notInTheView);

        pruning.prune();

        assertThat(versionsHandedOut(kate)).as("the current version's record stays: it dedupes the next fetch")
                .containsExactly(current);
        assertThat(versionsHandedOut(notInTheView)).containsExactly(1L);

        assertThat(api.send("DELETE", "/v1/users/kate/connections/demo", appToken, null, null).statusCode())
                .isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ERASED".equals(jdbc.queryForObject(
                "select status from token_set_view where token_set_id = ?", String.class, kate)));
        pruning.prune();

        assertThat(versionsHandedOut(kate)).as("erased: no hand-out of any of its versions can come").isEmpty();
        assertThat(versionsHandedOut(notInTheView)).containsExactly(1L);
    }

    private List<Long> versionsHandedOut(UUID tokenSet) {
        return jdbc.queryForList("select token_version from token_hand_out where token_set_id = ? order by 1",
                Long.class, tokenSet);
    }
}
