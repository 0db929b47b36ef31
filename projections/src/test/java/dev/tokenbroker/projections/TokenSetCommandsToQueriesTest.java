package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.tokenbroker.core.api.Actor;
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
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.LocalKeysetFile;
import dev.tokenbroker.core.crypto.TinkTokenCipher;
import dev.tokenbroker.projections.history.TokenSetHistoryEntry;
import dev.tokenbroker.projections.history.TokenSetHistoryRepository;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;

/**
 * The whole path with broker-core's real parts: commands to the {@code TokenSet} aggregate, tokens
 * sealed by the Tink cipher (data keys in PostgreSQL), events through the pooled processors, and the
 * access token decrypted again by {@link TokenSetQueries}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenSetCommandsToQueriesTest {

    private ProjectionsHarness harness;
    private TokenSetQueries queries;

    @BeforeAll
    void start() {
        harness = ProjectionsHarness.start("e2e", TinkTokenCipher.class, dataSource -> {
            try {
                LocalKeysetFile kek = new LocalKeysetFile(Files.createTempDirectory("kek").resolve("kek.json"));
                return new TinkTokenCipher(new DataKeyStore(dataSource, kek.generate()), DataKeyCache.withDefaults());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        queries = harness.bean(TokenSetQueries.class);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void linkRefreshHandOutFailRevokeThroughTheAggregateThenQueriesFollow() {
        TokenSetId id = TokenSetId.of("zoe", "google");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Actor user = Actor.user("zoe", "cs-1");

        harness.commands().sendAndWait(new LinkTokenSetCommand(id, "zoe", "google", TokenValue.of("ya29.first"),
                TokenValue.of("1//refresh-first"), null, now.plusSeconds(3600), null, Set.of("email", "openid"),
                "sub-zoe", "Zoe", user, "connect"));
        harness.commands().sendAndWait(new RecordTokenRefreshCommand(id, TokenValue.of("ya29.second"),
                TokenValue.of("1//refresh-second"), null, now.plusSeconds(7200), null, Set.of("email", "openid"),
                1, Actor.scheduler(), "scheduled refresh"));
        harness.commands().sendAndWait(new RecordAccessTokenHandOutCommand(id, "backend-a", 2,
                Actor.apiClient("backend-a"), "fetch"));
        harness.awaitApplied(id, 2);

        CurrentAccessToken.Available available =
                (CurrentAccessToken.Available) queries.currentAccessToken("zoe", "google");
        assertThat(available.accessToken().reveal()).isEqualTo("ya29.second");
        assertThat(available.tokenVersion()).isEqualTo(2);
        var view = queries.tokenSet(id).orElseThrow();
        assertThat(harness.cipher().open(id, view.refreshToken()).reveal()).isEqualTo("1//refresh-second");
        assertThat(view.refreshTokenVersion()).isEqualTo(2);

        harness.commands().sendAndWait(new RecordRefreshFailureCommand(id, RefreshFailureKind.TRANSIENT,
                "temporarily_unavailable", null, now.plusSeconds(600), 2, Actor.scheduler(), "scheduled refresh"));
        harness.awaitApplied(id, 3);
        assertThat(queries.tokenSet(id).orElseThrow().status()).isEqualTo(TokenSetStatus.REFRESH_FAILING);

        harness.commands().sendAndWait(new RevokeTokenSetCommand(id, UpstreamRevocationOutcome.REVOKED, null, true,
                user, "user disconnected"));
        harness.awaitApplied(id, 5);

        assertThat(queries.currentAccessToken("zoe", "google")).isInstanceOf(CurrentAccessToken.Erased.class);
        assertThat(harness.bean(TokenSetHistoryRepository.class).historyOf(id))
                .extracting(TokenSetHistoryEntry::eventType)
                .containsExactly("TokenSetLinked", "TokenSetRefreshed", "AccessTokenHandedOut", "TokenRefreshFailed",
                        "TokenSetRevoked", "TokenSetErased");

        // crypto-shredded history still rebuilds: the projections never need the keys
        List<String> viewBefore = harness.dump("token_set_view", "token_set_id");
        ReadModelRebuild rebuild = harness.bean(ReadModelRebuild.class);
        rebuild.rebuildAll();
        await().atMost(Duration.ofSeconds(30)).until(rebuild::isCaughtUp);
        assertThat(harness.dump("token_set_view", "token_set_id")).isEqualTo(viewBefore);
    }
}
