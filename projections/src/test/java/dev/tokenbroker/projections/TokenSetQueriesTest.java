package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetSummary;
import dev.tokenbroker.projections.tokenset.TokenSetView;

/** The current access token for (user, connector), decrypted from the read model, and its typed refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenSetQueriesTest {

    private static final Instant T0 = Instant.parse("2026-02-01T08:00:00Z");

    private ProjectionsHarness harness;
    private TokenSetQueries queries;

    @BeforeAll
    void start() {
        harness = ProjectionsHarness.start("queries");
        queries = harness.bean(TokenSetQueries.class);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void currentAccessTokenWhenLinkedThenDecryptedTokenWithExpiryScopesAndVersion() {
        TokenSetStory story = harness.story("u1", "github", T0)
                .link("gho_access-1", "ghr_refresh-1", T0.plusSeconds(3600), Set.of("repo"))
                .refresh("gho_access-2", null, T0.plusSeconds(7200));
        harness.awaitApplied(story);

        CurrentAccessToken answer = queries.currentAccessToken("u1", "github");

        assertThat(answer).isInstanceOf(CurrentAccessToken.Available.class);
        CurrentAccessToken.Available available = (CurrentAccessToken.Available) answer;
        assertThat(available.accessToken()).isEqualTo(TokenValue.of("gho_access-2"));
        assertThat(available.expiresAt()).isEqualTo(T0.plusSeconds(7200));
        assertThat(available.grantedScopes()).containsExactly("repo");
        assertThat(available.status()).isEqualTo(TokenSetStatus.ACTIVE);
        assertThat(available.tokenVersion()).isEqualTo(2);
        assertThat(available.tokenSetId()).isEqualTo(TokenSetId.of("u1", "github"));
        assertThat(available.validFor(Duration.ofMinutes(5), T0.plusSeconds(7200 - 600))).isTrue();
        assertThat(available.validFor(Duration.ofMinutes(5), T0.plusSeconds(7200 - 60))).isFalse();
        assertThat(available.toString()).doesNotContain("gho_access-2");
    }

    @Test
    void currentAccessTokenWhileRefreshFailingThenStillAvailable() {
        TokenSetStory story = harness.story("u2", "google", T0)
                .link("ya29.access-1", "1//refresh-1", T0.plusSeconds(3600), Set.of("email"))
                .failTransiently("temporarily_unavailable", T0.plusSeconds(900));
        harness.awaitApplied(story);

        CurrentAccessToken.Available available =
                (CurrentAccessToken.Available) queries.currentAccessToken("u2", "google");
        assertThat(available.status()).isEqualTo(TokenSetStatus.REFRESH_FAILING);
        assertThat(available.accessToken().reveal()).isEqualTo("ya29.access-1");
    }

    @Test
    void currentAccessTokenWhenNeverLinkedThenNotLinked() {
        assertThat(queries.currentAccessToken("nobody", "github"))
                .isEqualTo(new CurrentAccessToken.NotLinked("nobody", "github"));
    }

    @Test
    void currentAccessTokenWhenGrantIsDeadThenNeedsReauthorization() {
        TokenSetStory story = harness.story("u3", "google", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("email"))
                .failPermanently("invalid_grant");
        harness.awaitApplied(story);

        assertThat(queries.currentAccessToken("u3", "google"))
                .isEqualTo(new CurrentAccessToken.NeedsReauthorization(story.tokenSetId(), "invalid_grant"));
    }

    @Test
    void currentAccessTokenWhenRevokedThenRevokedEvenThoughCiphertextRemains() {
        TokenSetStory story = harness.story("u4", "github", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("repo"))
                .revoke(UpstreamRevocationOutcome.NOT_SUPPORTED);
        harness.awaitApplied(story);

        assertThat(queries.currentAccessToken("u4", "github"))
                .isEqualTo(new CurrentAccessToken.Revoked(story.tokenSetId(), story.now()));
    }

    @Test
    void currentAccessTokenWhenErasedThenErased() {
        TokenSetStory story = harness.story("u5", "github", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("repo"))
                .revoke(UpstreamRevocationOutcome.REVOKED)
                .erase();
        harness.awaitApplied(story);

        assertThat(queries.currentAccessToken("u5", "github"))
                .isEqualTo(new CurrentAccessToken.Erased(story.tokenSetId(), story.now()));
    }

    @Test
    void currentAccessTokenWhenKeysAreShreddedBeforeTheViewCaughtUpThenErasedNotAnException() {
        TokenSetStory story = harness.story("u6", "github", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("repo"));
        harness.awaitApplied(story);
        harness.cipher().destroyDataKeys(story.tokenSetId(), 1);

        assertThat(queries.currentAccessToken("u6", "github"))
                .isEqualTo(new CurrentAccessToken.Erased(story.tokenSetId(), null));
    }

    /**
     * A rebuild clears the view and replays it; until the replay reaches a token set, its row is missing (on every
     * instance: the table is shared). The token set is still linked, and the event store says so.
     */
    @Test
    void aRowTheViewDoesNotHaveYetIsFoldedFromTheEventStore() {
        TokenSetStory linked = harness.story("u10", "github", T0)
                .link("gho_access-10", "ghr_refresh-10", T0.plusSeconds(3600), Set.of("repo"))
                .refresh("gho_access-11", "ghr_refresh-11", T0.plusSeconds(7200))
                .handOut("backend");
        TokenSetStory erased = harness.story("u10", "google", T0)
                .link("ya29.access-10", "1//refresh-10", T0.plusSeconds(3600), Set.of("email"))
                .revoke(UpstreamRevocationOutcome.REVOKED)
                .erase();
        harness.awaitApplied(linked);
        harness.awaitApplied(erased);
        TokenSetView rowInTheView = queries.tokenSet(linked.tokenSetId()).orElseThrow();

        harness.jdbc().update("DELETE FROM token_set_view WHERE user_id = 'u10'");

        assertThat(queries.currentAccessToken("u10", "github")).isInstanceOfSatisfying(
                CurrentAccessToken.Available.class, available -> {
                    assertThat(available.accessToken()).isEqualTo(TokenValue.of("gho_access-11"));
                    assertThat(available.expiresAt()).isEqualTo(T0.plusSeconds(7200));
                    assertThat(available.tokenVersion()).isEqualTo(2);
                    assertThat(available.grantedScopes()).containsExactly("repo");
                });
        assertThat(queries.tokenSet(linked.tokenSetId())).as("the same row the projection wrote")
                .contains(rowInTheView);
        assertThat(queries.currentAccessToken("u10", "google"))
                .isEqualTo(new CurrentAccessToken.Erased(erased.tokenSetId(), erased.now()));
        assertThat(queries.currentAccessToken("u10", "gitlab")).as("no events: never linked")
                .isEqualTo(new CurrentAccessToken.NotLinked("u10", "gitlab"));
        assertThat(harness.jdbc().queryForObject("SELECT count(*) FROM token_set_view WHERE user_id = 'u10'",
                Integer.class)).as("a read, not a write: the replay still owns the row").isZero();
    }

    @Test
    void tokenSetsOfUserListsMetadataPerConnector() {
        TokenSetStory github = harness.story("u7", "github", T0)
                .link("access-1", null, T0.plusSeconds(3600), Set.of("repo"));
        TokenSetStory google = harness.story("u7", "google", T0)
                .link("access-2", "refresh-2", T0.plusSeconds(3600), Set.of("email", "openid"));
        harness.awaitApplied(github);
        harness.awaitApplied(google);

        assertThat(queries.tokenSetsOfUser("u7", List.of()))
                .extracting(TokenSetSummary::connectorId, TokenSetSummary::hasRefreshToken,
                        TokenSetSummary::grantedScopes)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("github", false, Set.of("repo")),
                        org.assertj.core.groups.Tuple.tuple("google", true, Set.of("email", "openid")));
        assertThat(queries.tokenSetsOfUser("nobody", List.of())).isEmpty();
    }

    @Test
    void aListingDuringARebuildFoldsTheTokenSetsOfTheGivenConnectorsTheViewDoesNotHave() {
        TokenSetStory inTheView = harness.story("u11", "github", T0)
                .link("gho_access-11", null, T0.plusSeconds(3600), Set.of("repo"));
        // nanoseconds and unordered scopes: the view keeps microseconds (rounded half up) and sorts the scopes
        TokenSetStory notYetReplayed = harness.story("u11", "google", T0.plusNanos(123_456_789))
                .link("ya29.access-11", "1//refresh-11", T0.plusSeconds(3600).plusNanos(987_654_521),
                        Set.of("openid", "email", "profile"));
        harness.awaitApplied(inTheView);
        harness.awaitApplied(notYetReplayed);
        List<TokenSetSummary> before = queries.tokenSetsOfUser("u11", List.of());

        harness.jdbc().update("DELETE FROM token_set_view WHERE user_id = 'u11' AND connector_id = 'google'");

        assertThat(queries.tokenSetsOfUser("u11", List.of())).as("the view alone misses it")
                .extracting(TokenSetSummary::connectorId).containsExactly("github");
        assertThat(queries.tokenSetsOfUser("u11", List.of("google", "gitlab", "github")))
                .as("folded from its events, the same summary as the projection's; gitlab has no events")
                .isEqualTo(before);
        assertThat(queries.tokenSetsOfUser("u11", List.of("gitlab"))).as("only the connectors asked for are folded")
                .extracting(TokenSetSummary::connectorId).containsExactly("github");
        assertThat(harness.jdbc().queryForObject("SELECT count(*) FROM token_set_view WHERE user_id = 'u11'",
                Integer.class)).as("a read, not a write").isEqualTo(1);
    }

    @Test
    void tokenSetForTheRefreshCoordinatorCarriesTheSealedRefreshToken() {
        TokenSetStory story = harness.story("u8", "google", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("email"));
        harness.awaitApplied(story);

        var view = queries.tokenSet(story.tokenSetId()).orElseThrow();
        assertThat(harness.cipher().open(story.tokenSetId(), view.refreshToken()).reveal()).isEqualTo("refresh-1");
        assertThat(view.toString()).doesNotContain("refresh-1");
    }

    @Test
    void currentAccessTokenReadsOnlyTheAccessTokenColumnsNeverTheSealedRefreshToken() {
        // A role that may read what a token fetch needs and nothing else of the row: the query runs as that
        // role, so reading any other column (the refresh token's ciphertext among them) fails the test.
        TokenSetStory story = harness.story("u9", "google", T0)
                .link("access-9", "refresh-9", T0.plusSeconds(3600), Set.of("email"));
        harness.awaitApplied(story);
        JdbcTemplate jdbc = harness.jdbc();
        jdbc.execute("DROP ROLE IF EXISTS token_fetch_reader");
        jdbc.execute("CREATE ROLE token_fetch_reader");
        jdbc.execute("GRANT SELECT (token_set_id, status, granted_scopes, access_token_ciphertext,"
                + " access_token_key_version, access_token_expires_at, token_version, erased_at, revoked_at,"
                + " reauthorization_reason) ON token_set_view TO token_fetch_reader");
        jdbc.execute("GRANT SELECT ON token_set_data_key TO token_fetch_reader");
        TransactionTemplate asReader = new TransactionTemplate(
                new DataSourceTransactionManager(harness.bean(DataSource.class)));
        try {
            CurrentAccessToken answer = asReader.execute(status -> {
                jdbc.execute("SET LOCAL ROLE token_fetch_reader");
                return queries.currentAccessToken("u9", "google");
            });
            assertThat(answer).isInstanceOfSatisfying(CurrentAccessToken.Available.class,
                    available -> assertThat(available.accessToken()).isEqualTo(TokenValue.of("access-9")));
            // the role really is that narrow: the full row is refused
            assertThatThrownBy(() -> asReader.executeWithoutResult(status -> {
                jdbc.execute("SET LOCAL ROLE token_fetch_reader");
                queries.tokenSet(story.tokenSetId());
            })).rootCause().hasMessageContaining("permission denied for table token_set_view");
        } finally {
            jdbc.execute("REVOKE ALL ON token_set_view, token_set_data_key FROM token_fetch_reader");
            jdbc.execute("DROP ROLE token_fetch_reader");
        }
    }
}
