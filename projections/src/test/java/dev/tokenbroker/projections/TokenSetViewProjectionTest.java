package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.projections.history.TokenSetHistoryProjection;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetView;
import dev.tokenbroker.projections.tokenset.TokenSetViewProjection;

/** token_set_view rows for realistic event sequences, applied through the pooled processors on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenSetViewProjectionTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private ProjectionsHarness harness;
    private TokenSetQueries queries;

    @BeforeAll
    void start() {
        harness = ProjectionsHarness.start("view");
        queries = harness.bean(TokenSetQueries.class);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void linkCreatesAnActiveRowWithSealedTokensAndMetadata() {
        Instant expiry = T0.plusSeconds(3600);
        TokenSetStory story = harness.story("alice", "github", T0)
                .link("access-1", "refresh-1", expiry, Set.of("repo", "read:user"));
        harness.awaitApplied(story);

        TokenSetView view = view(story);
        assertThat(view.userId()).isEqualTo("alice");
        assertThat(view.connectorId()).isEqualTo("github");
        assertThat(view.status()).isEqualTo(TokenSetStatus.ACTIVE);
        assertThat(view.grantedScopes()).containsExactly("read:user", "repo");
        assertThat(view.upstreamSubject()).isEqualTo("upstream-alice");
        assertThat(view.upstreamDisplayName()).isEqualTo("Display alice");
        assertThat(view.accessTokenExpiresAt()).isEqualTo(expiry);
        assertThat(view.refreshTokenExpiresAt()).isEqualTo(expiry.plusSeconds(30 * 24 * 3600));
        assertThat(open(view, view.accessToken())).isEqualTo("access-1");
        assertThat(open(view, view.refreshToken())).isEqualTo("refresh-1");
        assertThat(open(view, view.idToken())).isEqualTo("id-token-of-access-1");
        assertThat(view.accessToken().purpose()).isEqualTo(TokenPurpose.ACCESS);
        assertThat(view.dataKeyVersion()).isEqualTo(1);
        assertThat(view.tokenVersion()).isEqualTo(1);
        assertThat(view.refreshTokenVersion()).isEqualTo(1);
        assertThat(view.linkedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(view.lastRefreshedAt()).isNull();
        assertThat(view.lastFailure()).isNull();
        assertThat(view.version()).isZero();
    }

    @Test
    void refreshWithoutRotatedRefreshTokenKeepsTheCurrentRefreshToken() {
        TokenSetStory story = harness.story("bob", "google", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("email"))
                .refresh("access-2", null, T0.plusSeconds(7200));
        harness.awaitApplied(story);

        TokenSetView view = view(story);
        assertThat(open(view, view.accessToken())).isEqualTo("access-2");
        assertThat(open(view, view.refreshToken())).isEqualTo("refresh-1");
        assertThat(open(view, view.idToken())).isEqualTo("id-token-of-access-1");
        assertThat(view.tokenVersion()).isEqualTo(2);
        assertThat(view.refreshTokenVersion()).isEqualTo(1);
        assertThat(view.accessTokenExpiresAt()).isEqualTo(T0.plusSeconds(7200));
        assertThat(view.lastRefreshedAt()).isEqualTo(story.now());
        assertThat(view.version()).isEqualTo(1);
    }

    @Test
    void refreshWithRotatedRefreshTokenReplacesIt() {
        TokenSetStory story = harness.story("carol", "google", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("email"))
                .refresh("access-2", "refresh-2", T0.plusSeconds(7200));
        harness.awaitApplied(story);

        TokenSetView view = view(story);
        assertThat(open(view, view.refreshToken())).isEqualTo("refresh-2");
        assertThat(view.refreshTokenVersion()).isEqualTo(2);
        assertThat(view.tokenVersion()).isEqualTo(2);
    }

    @Test
    void transientFailureMakesTheSetRefreshFailingUntilTheNextSuccessfulRefresh() {
        Instant retryAt = T0.plusSeconds(900);
        TokenSetStory story = harness.story("dave", "google", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("email"))
                .failTransiently("temporarily_unavailable", T0.plusSeconds(600))
                .failTransiently("temporarily_unavailable", retryAt);
        harness.awaitApplied(story);

        TokenSetView failing = view(story);
        assertThat(failing.status()).isEqualTo(TokenSetStatus.REFRESH_FAILING);
        assertThat(failing.lastFailure()).isEqualTo(new TokenSetView.RefreshFailure(RefreshFailureKind.TRANSIENT,
                "temporarily_unavailable", "try later", 2, T0.plusSeconds(120), retryAt));
        assertThat(open(failing, failing.accessToken())).isEqualTo("access-1");

        story.refresh("access-2", null, T0.plusSeconds(7200));
        harness.awaitApplied(story);
        TokenSetView recovered = view(story);
        assertThat(recovered.status()).isEqualTo(TokenSetStatus.ACTIVE);
        assertThat(recovered.lastFailure()).isNull();
    }

    @Test
    void permanentFailureRequiresReauthorization() {
        TokenSetStory story = harness.story("erin", "google", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("email"))
                .failPermanently("invalid_grant");
        harness.awaitApplied(story);

        TokenSetView view = view(story);
        assertThat(view.status()).isEqualTo(TokenSetStatus.REAUTHORIZATION_REQUIRED);
        assertThat(view.reauthorizationReason()).isEqualTo("invalid_grant");
        assertThat(view.lastFailure().kind()).isEqualTo(RefreshFailureKind.PERMANENT);
        assertThat(view.lastFailure().errorCode()).isEqualTo("invalid_grant");
    }

    @Test
    void revokeThenEraseClearsTheCiphertextsButKeepsTheHistory() {
        TokenSetStory story = harness.story("frank", "github", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("repo"))
                .handOut("backend-a")
                .revoke(UpstreamRevocationOutcome.REVOKED);
        harness.awaitApplied(story);
        TokenSetView revoked = view(story);
        assertThat(revoked.status()).isEqualTo(TokenSetStatus.REVOKED);
        assertThat(revoked.upstreamRevocation()).isEqualTo(UpstreamRevocationOutcome.REVOKED);
        assertThat(revoked.lastHandedOutAt()).isEqualTo(T0.plusSeconds(120));

        story.erase();
        harness.awaitApplied(story);
        TokenSetView erased = view(story);
        assertThat(erased.status()).isEqualTo(TokenSetStatus.ERASED);
        assertThat(erased.erasedAt()).isEqualTo(story.now());
        assertThat(erased.accessToken()).isNull();
        assertThat(erased.refreshToken()).isNull();
        assertThat(erased.idToken()).isNull();
        assertThat(harness.jdbc().queryForObject("SELECT num_nonnulls(access_token_ciphertext, access_token_key_version,"
                        + " refresh_token_ciphertext, refresh_token_key_version, id_token_ciphertext, id_token_key_version)"
                        + " FROM token_set_view WHERE token_set_id = ?", Integer.class, story.tokenSetId().value()))
                .isZero();
        assertThat(harness.dump("token_set_history", "sequence_number").stream()
                .filter(row -> row.contains(story.tokenSetId().toString())))
                .hasSize(4);
    }

    @Test
    void relinkAfterEraseIsActiveAgainUnderANewDataKeyVersion() {
        TokenSetStory story = harness.story("grace", "github", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("repo"))
                .revoke(UpstreamRevocationOutcome.REVOKED)
                .erase()
                .link("access-2", null, T0.plusSeconds(7200), Set.of("repo", "gist"));
        harness.awaitApplied(story);

        TokenSetView view = view(story);
        assertThat(view.status()).isEqualTo(TokenSetStatus.ACTIVE);
        assertThat(view.dataKeyVersion()).isEqualTo(2);
        assertThat(view.accessToken().keyVersion()).isEqualTo(2);
        assertThat(open(view, view.accessToken())).isEqualTo("access-2");
        assertThat(view.refreshToken()).isNull();
        assertThat(view.erasedAt()).isNull();
        assertThat(view.revokedAt()).isNull();
        assertThat(view.tokenVersion()).isEqualTo(2);
    }

    @Test
    void redeliveredAndOutdatedEventsChangeNothing() {
        TokenSetStory story = harness.story("heidi", "google", T0)
                .link("access-1", "refresh-1", T0.plusSeconds(3600), Set.of("email"));
        harness.awaitApplied(story);
        DomainEventMessage<?> link = story.lastMessage();
        story.refresh("access-2", "refresh-2", T0.plusSeconds(7200));
        harness.awaitApplied(story);
        DomainEventMessage<?> refresh = story.lastMessage();
        List<String> viewBefore = harness.dump("token_set_view", "token_set_id");
        List<String> historyBefore = harness.dump("token_set_history", "token_set_id, sequence_number");

        // as a processor would after a crash between handling and storing its token: again, in a transaction
        redeliver(harness.bean(TokenSetViewProjection.class), refresh, link, refresh);
        redeliver(harness.bean(TokenSetHistoryProjection.class), refresh, link, refresh);

        assertThat(harness.dump("token_set_view", "token_set_id")).isEqualTo(viewBefore);
        assertThat(harness.dump("token_set_history", "token_set_id, sequence_number")).isEqualTo(historyBefore);
        assertThat(open(view(story), view(story).accessToken())).isEqualTo("access-2");
    }

    private void redeliver(Object projection, DomainEventMessage<?>... messages) {
        AnnotationEventHandlerAdapter adapter = new AnnotationEventHandlerAdapter(projection);
        new TransactionTemplate(harness.bean(PlatformTransactionManager.class)).executeWithoutResult(status -> {
            for (DomainEventMessage<?> message : messages) {
                try {
                    adapter.handle(message);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    private TokenSetView view(TokenSetStory story) {
        return queries.tokenSet(story.tokenSetId()).orElseThrow();
    }

    private String open(TokenSetView view, dev.tokenbroker.core.api.SealedToken sealed) {
        return harness.cipher().open(view.tokenSetId(), sealed).reveal();
    }
}
