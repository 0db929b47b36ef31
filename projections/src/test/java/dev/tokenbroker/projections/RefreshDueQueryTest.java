package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.projections.tokenset.RefreshDue;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;

/** The scheduler's query: which token sets are due for a refresh, soonest first. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefreshDueQueryTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant NOW = T0.plusSeconds(3600);

    private ProjectionsHarness harness;
    private TokenSetQueries queries;

    @BeforeAll
    void publishTokenSetsInEveryState() {
        harness = ProjectionsHarness.start("due");
        queries = harness.bean(TokenSetQueries.class);
        harness.awaitApplied(harness.story("soon", "google", T0)
                .link("a", "r", NOW.plusSeconds(120), Set.of("email")));
        harness.awaitApplied(harness.story("sooner", "google", T0)
                .link("a", "r", NOW.plusSeconds(60), Set.of("email")));
        harness.awaitApplied(harness.story("later", "google", T0)
                .link("a", "r", NOW.plusSeconds(3600), Set.of("email")));
        harness.awaitApplied(harness.story("no-refresh-token", "github", T0)
                .link("a", null, NOW.plusSeconds(30), Set.of("repo")));
        harness.awaitApplied(harness.story("retry-passed", "google", T0)
                .link("a", "r", NOW.plusSeconds(3600), Set.of("email"))
                .failTransiently("temporarily_unavailable", NOW.minusSeconds(10)));
        harness.awaitApplied(harness.story("retry-pending", "google", T0)
                .link("a", "r", NOW.plusSeconds(30), Set.of("email"))
                .failTransiently("temporarily_unavailable", NOW.plusSeconds(600)));
        harness.awaitApplied(harness.story("dead", "google", T0)
                .link("a", "r", NOW.plusSeconds(30), Set.of("email"))
                .failPermanently("invalid_grant"));
        harness.awaitApplied(harness.story("revoked", "google", T0)
                .link("a", "r", NOW.plusSeconds(30), Set.of("email"))
                .revoke(UpstreamRevocationOutcome.REVOKED));
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void dueForRefreshThenActiveExpiringAndFailingWithPassedRetryInDueOrder() {
        assertThat(queries.dueForRefresh(NOW.plusSeconds(300), NOW, 10))
                .extracting(RefreshDue::userId, RefreshDue::status, RefreshDue::dueAt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("retry-passed", TokenSetStatus.REFRESH_FAILING,
                                NOW.minusSeconds(10)),
                        org.assertj.core.groups.Tuple.tuple("sooner", TokenSetStatus.ACTIVE, NOW.plusSeconds(60)),
                        org.assertj.core.groups.Tuple.tuple("soon", TokenSetStatus.ACTIVE, NOW.plusSeconds(120)));
    }

    @Test
    void dueForRefreshThenLimitedToTheSoonest() {
        assertThat(queries.dueForRefresh(NOW.plusSeconds(300), NOW, 2))
                .extracting(RefreshDue::userId)
                .containsExactly("retry-passed", "sooner");
    }

    @Test
    void dueForRefreshCarriesTheRefreshTokenVersionToBaseTheRefreshOn() {
        RefreshDue due = queries.dueForRefresh(NOW.plusSeconds(300), NOW, 1).get(0);
        assertThat(due.refreshTokenVersion()).isEqualTo(1);
        assertThat(due.version()).isEqualTo(1);
    }

    @Test
    void dueForRefreshWithoutPositiveLimitThenRejected() {
        assertThatThrownBy(() -> queries.dueForRefresh(NOW, NOW, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
