package dev.tokenbroker.api.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** The per-client bound on open connect sessions: a flood of creations cannot grow the table without limit. */
@BrokerApiTest
class ConnectSessionQuotaTest {

    @LocalServerPort
    int port;
    @Autowired
    ConnectSessionStore store;
    @Autowired
    ConnectProperties properties;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    Clock clock;

    @Test
    void countsOnlyTheClientsUnfinishedUnexpiredSessions() {
        String client = "quota-" + UUID.randomUUID();
        ConnectSessionQuota quota = new ConnectSessionQuota(store, 3);
        Instant now = clock.instant();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(open(client, now, now.plus(Duration.ofMinutes(5 + i))));
        }
        open(client, now.minus(Duration.ofMinutes(20)), now.minus(Duration.ofMinutes(10)));   // expired: not counted

        ApiProblemException full = catchThrowableOfType(ApiProblemException.class,
                () -> quota.requireRoomFor(client, now));
        assertThat(full.type()).isEqualTo(ProblemType.TOO_MANY_CONNECT_SESSIONS);
        assertThat(full.retryAfter()).as("until the earliest open session expires")
                .isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5).plusSeconds(1));   // PostgreSQL keeps microseconds
        assertThatCode(() -> quota.requireRoomFor("other-" + client, now)).doesNotThrowAnyException();

        jdbc.update("update connect_session set status = 'FINISHED' where session_id = ?", ids.get(1));
        assertThatCode(() -> quota.requireRoomFor(client, now)).as("a finished session frees its place")
                .doesNotThrowAnyException();
    }

    @Test
    void theApiAnswers429ProblemAndStoresNothingWhenTheClientIsAtItsQuota() throws Exception {
        Instant now = clock.instant();
        String marker = "quota-fill-" + UUID.randomUUID() + "-";
        int limit = properties.maxOpenSessionsPerClient();
        List<Object[]> rows = new ArrayList<>(limit);
        for (int i = 0; i < limit; i++) {
            rows.add(new Object[] {marker + i, "test-app", Timestamp.from(now),
                    Timestamp.from(now.plus(Duration.ofMinutes(9)))});
        }
        try {
            jdbc.batchUpdate("""
                    insert into connect_session (session_id, client_id, user_id, connector_id, return_to, status,
                                                 created_at, expires_at)
                    values (?, ?, 'quota-user', 'demo', 'https://app.example/linked', 'CREATED', ?, ?)""", rows);
            long before = count();
            ApiClients api = new ApiClients(port);
            String token = api.accessToken("test-app", BrokerApiTest.APP_SECRET);

            HttpResponse<String> refused = api.send("POST", "/v1/connect-sessions", token, "application/json",
                    "{\"userId\":\"quota-user\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}");

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(refused.headers().firstValueAsLong("Retry-After").orElse(0)).isBetween(1L, 9L * 60);
            assertThat(api.json(refused).get("type").asText())
                    .isEqualTo(ProblemType.TOO_MANY_CONNECT_SESSIONS.uri().toString());
            assertThat(count()).as("a refused creation stores nothing").isEqualTo(before);
        } finally {
            jdbc.update("delete from connect_session where session_id like ?", marker + "%");
        }
    }

    private String open(String client, Instant created, Instant expires) {
        String id = "quota-" + UUID.randomUUID();
        store.create(new ConnectSession(id, client, "quota-user", "demo", null, URI.create("https://app.example/l"),
                ConnectSession.Status.CREATED, created, expires));
        return id;
    }

    private long count() {
        Long count = jdbc.queryForObject("select count(*) from connect_session", Long.class);
        return count == null ? 0 : count;
    }
}
