package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.EraseTokenSetCommand;
import dev.tokenbroker.core.api.LinkTokenSetCommand;
import dev.tokenbroker.core.api.RecordAccessTokenHandOutCommand;
import dev.tokenbroker.core.api.RecordRefreshFailureCommand;
import dev.tokenbroker.core.api.RecordTokenRefreshCommand;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.RevokeTokenSetCommand;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetView;
import dev.tokenbroker.projections.tokenset.TokenSetViewProjection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Read-your-writes: once a command returned, {@code token_set_view} shows it, without the streaming processor
 * (stopped here, so only the write-through can have written the row); the processor, started again, finds
 * nothing to change; and a failing write-through never fails the command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenSetViewWriteThroughTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private ProjectionsHarness harness;
    private TokenSetQueries queries;
    private StreamingEventProcessor viewProcessor;

    @BeforeAll
    void start() {
        harness = ProjectionsHarness.start("write_through");
        queries = harness.bean(TokenSetQueries.class);
        viewProcessor = harness.bean(Configuration.class).eventProcessingConfiguration()
                .eventProcessor(TokenSetViewProjection.PROCESSING_GROUP, StreamingEventProcessor.class).orElseThrow();
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @BeforeEach
    void stopTheViewProcessor() {
        viewProcessor.shutDown();
    }

    @AfterEach
    void startTheViewProcessor() {
        viewProcessor.start();
    }

    @Test
    void everyCommandIsInTheViewWhenItReturns() {
        TokenSetId id = TokenSetId.of("yara", "google");
        Actor user = Actor.user("yara", "cs-1");

        harness.commands().sendAndWait(new LinkTokenSetCommand(id, "yara", "google", TokenValue.of("ya29.first"),
                TokenValue.of("1//first"), null, NOW.plusSeconds(3600), null, Set.of("openid"), "sub-yara", "Yara",
                user, "connect"));
        assertThat(((CurrentAccessToken.Available) queries.currentAccessToken("yara", "google")).accessToken().reveal())
                .isEqualTo("ya29.first");

        harness.commands().sendAndWait(new RecordTokenRefreshCommand(id, TokenValue.of("ya29.second"), null, null,
                NOW.plusSeconds(7200), null, Set.of("openid", "email"), 1, Actor.scheduler(), "refresh"));
        CurrentAccessToken.Available refreshed = (CurrentAccessToken.Available) queries.currentAccessToken("yara", "google");
        assertThat(refreshed.accessToken().reveal()).isEqualTo("ya29.second");
        assertThat(refreshed.grantedScopes()).containsExactlyInAnyOrder("openid", "email");
        assertThat(refreshed.expiresAt()).isEqualTo(NOW.plusSeconds(7200));

        harness.commands().sendAndWait(new RecordAccessTokenHandOutCommand(id, "backend", 2, Actor.apiClient("backend"), "t"));
        assertThat(queries.tokenSet(id).orElseThrow().lastHandedOutAt()).isNotNull();

        harness.commands().sendAndWait(new RecordRefreshFailureCommand(id, RefreshFailureKind.TRANSIENT, "slow", null,
                NOW.plusSeconds(60), 1, Actor.scheduler(), "refresh"));
        assertThat(queries.tokenSet(id).orElseThrow().status()).isEqualTo(TokenSetStatus.REFRESH_FAILING);

        harness.commands().sendAndWait(new RevokeTokenSetCommand(id, UpstreamRevocationOutcome.REVOKED, null, true,
                user, "unlink"));
        assertThat(queries.currentAccessToken("yara", "google")).isInstanceOf(CurrentAccessToken.Erased.class);
        assertThat(queries.tokenSetsOfUser("yara", List.of())).singleElement()
                .satisfies(summary -> assertThat(summary.erasedAt()).isNotNull());

        // The processor, running again, has nothing to add: same rows as the write-through wrote.
        List<String> written = harness.dump("token_set_view", "token_set_id");
        viewProcessor.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> harness.bean(ReadModelRebuild.class)
                .isCaughtUp(TokenSetViewProjection.PROCESSING_GROUP));
        assertThat(harness.dump("token_set_view", "token_set_id")).isEqualTo(written);
        ReadModelRebuild rebuild = harness.bean(ReadModelRebuild.class);
        rebuild.rebuild(TokenSetViewProjection.PROCESSING_GROUP);
        await().atMost(Duration.ofSeconds(20)).until(() -> rebuild.isCaughtUp(TokenSetViewProjection.PROCESSING_GROUP));
        assertThat(harness.dump("token_set_view", "token_set_id")).as("a rebuild gives the same rows").isEqualTo(written);
    }

    @Test
    void aFailingWriteThroughLeavesTheCommandAndTheEventAloneAndTheProcessorCatchesUp() {
        TokenSetId id = TokenSetId.of("xavi", "google");
        harness.commands().sendAndWait(new LinkTokenSetCommand(id, "xavi", "google", TokenValue.of("ya29.x1"),
                TokenValue.of("1//x1"), null, NOW.plusSeconds(3600), null, Set.of("openid"), "sub-xavi", null,
                Actor.user("xavi", "cs"), "connect"));
        harness.jdbc().execute("CREATE FUNCTION refuse_view_update() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN RAISE EXCEPTION 'view is read-only in this test'; END $$");
        harness.jdbc().execute("CREATE TRIGGER refuse_view_update BEFORE UPDATE ON token_set_view"
                + " FOR EACH ROW EXECUTE FUNCTION refuse_view_update()");
        try {
            harness.commands().sendAndWait(new RecordTokenRefreshCommand(id, TokenValue.of("ya29.x2"),
                    TokenValue.of("1//x2"), null, NOW.plusSeconds(7200), null, Set.of("openid"), 1, Actor.scheduler(),
                    "refresh"));
            assertThat(harness.jdbc().queryForObject("SELECT count(*) FROM domainevententry WHERE aggregateidentifier = ?",
                    Long.class, id.toString())).as("the refresh result is persisted").isEqualTo(2);
            assertThat(queries.tokenSet(id).map(TokenSetView::tokenVersion)).contains(1L);
        } finally {
            harness.jdbc().execute("DROP TRIGGER refuse_view_update ON token_set_view");
            harness.jdbc().execute("DROP FUNCTION refuse_view_update()");
        }
        viewProcessor.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> queries.tokenSet(id).orElseThrow().tokenVersion() == 2);
    }
}
