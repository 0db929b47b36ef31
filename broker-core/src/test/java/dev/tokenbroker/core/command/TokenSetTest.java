package dev.tokenbroker.core.command;

import static dev.tokenbroker.core.command.RecordingTokenCipher.sealed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ExchangedSubjectToken;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.EraseTokenSetCommand;
import dev.tokenbroker.core.api.LinkTokenSetCommand;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RecordAccessTokenHandOutCommand;
import dev.tokenbroker.core.api.RecordRefreshFailureCommand;
import dev.tokenbroker.core.api.RecordTokenRefreshCommand;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.RefreshFailureOutcome;
import dev.tokenbroker.core.api.RequireReauthorizationCommand;
import dev.tokenbroker.core.api.RevokeTokenSetCommand;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException.Reason;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import java.time.Instant;
import java.util.Set;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenSetTest {

    private static final String USER = "user-1";
    private static final String CONNECTOR = "github";
    private static final TokenSetId ID = TokenSetId.of(USER, CONNECTOR);
    private static final Instant EXPIRES = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant REFRESH_EXPIRES = Instant.parse("2026-06-01T00:00:00Z");
    private static final Instant RETRY_AT = Instant.parse("2026-01-01T09:05:00Z");
    private static final Actor USER_ACTOR = Actor.user(USER, "session-1");
    private static final Actor SCHEDULER = Actor.scheduler();
    private static final Actor CLIENT = Actor.apiClient("billing");
    private static final Actor ADMIN = Actor.admin("admin-1");

    private AggregateTestFixture<TokenSet> fixture;
    private RecordingTokenCipher cipher;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(TokenSet.class);
        cipher = new RecordingTokenCipher();
        fixture.registerInjectableResource(cipher);
    }

    // ---- fixtures: commands and the events they should give -------------------------------------

    private static LinkTokenSetCommand link(String access, String refresh, String idToken) {
        return new LinkTokenSetCommand(ID, USER, CONNECTOR,
                access == null ? null : TokenValue.of(access),
                refresh == null ? null : TokenValue.of(refresh),
                idToken == null ? null : TokenValue.of(idToken),
                EXPIRES, REFRESH_EXPIRES, Set.of("repo", "read:user"), "gh-42", "Octo Cat", USER_ACTOR, "connect-callback");
    }

    private static TokenSetLinked linked(int keyVersion, long tokenVersion, long refreshTokenVersion, boolean relink,
                                         String access, String refresh, String idToken) {
        return new TokenSetLinked(ID, USER, CONNECTOR,
                sealed(ID, TokenPurpose.ACCESS, keyVersion, access),
                refresh == null ? null : sealed(ID, TokenPurpose.REFRESH, keyVersion, refresh),
                idToken == null ? null : sealed(ID, TokenPurpose.ID, keyVersion, idToken),
                EXPIRES, REFRESH_EXPIRES, Set.of("repo", "read:user"), "gh-42", "Octo Cat",
                keyVersion, tokenVersion, refreshTokenVersion, relink, USER_ACTOR, "connect-callback");
    }

    private static TokenSetLinked firstLink() {
        return linked(1, 1, 1, false, "access-1", "refresh-1", "id-1");
    }

    private static RecordTokenRefreshCommand refresh(String access, String refresh, long basedOn) {
        return new RecordTokenRefreshCommand(ID, TokenValue.of(access), refresh == null ? null : TokenValue.of(refresh),
                null, EXPIRES.plusSeconds(3600), null, Set.of("repo"), basedOn, SCHEDULER, "scheduled-refresh");
    }

    private static TokenSetRefreshed refreshed(String access, String refresh, long tokenVersion,
                                               long refreshTokenVersion, long basedOn) {
        return new TokenSetRefreshed(ID, sealed(ID, TokenPurpose.ACCESS, 1, access),
                refresh == null ? null : sealed(ID, TokenPurpose.REFRESH, 1, refresh), null,
                EXPIRES.plusSeconds(3600), null, Set.of("repo"), tokenVersion, refreshTokenVersion, basedOn,
                SCHEDULER, "scheduled-refresh");
    }

    private static RecordRefreshFailureCommand transientFailure(long basedOn) {
        return new RecordRefreshFailureCommand(ID, RefreshFailureKind.TRANSIENT, "temporarily_unavailable", "503",
                RETRY_AT, basedOn, SCHEDULER, "scheduled-refresh");
    }

    private static RecordRefreshFailureCommand permanentFailure(long basedOn) {
        return new RecordRefreshFailureCommand(ID, RefreshFailureKind.PERMANENT, "invalid_grant", "revoked by user",
                null, basedOn, SCHEDULER, "scheduled-refresh");
    }

    private static ReauthorizationRequired reauthorizationRequired() {
        return new ReauthorizationRequired(ID, "invalid_grant", SCHEDULER, "scheduled-refresh");
    }

    private static RecordAccessTokenHandOutCommand handOut(String clientId, long tokenVersion) {
        return new RecordAccessTokenHandOutCommand(ID, clientId, tokenVersion, Actor.apiClient(clientId), "token-request");
    }

    private static RevokeTokenSetCommand revoke(boolean erase) {
        return new RevokeTokenSetCommand(ID, UpstreamRevocationOutcome.REVOKED, "200", erase, USER_ACTOR, "user-disconnect");
    }

    private static TokenSetRevoked revoked() {
        return new TokenSetRevoked(ID, UpstreamRevocationOutcome.REVOKED, "200", USER_ACTOR, "user-disconnect");
    }

    private static TokenSetErased erased(int throughVersion, Actor actor, String cause) {
        return new TokenSetErased(ID, throughVersion, throughVersion, actor, cause);
    }

    private static EraseTokenSetCommand erase() {
        return new EraseTokenSetCommand(ID, ADMIN, "gdpr-request");
    }

    private void expectRejected(ResultValidator<TokenSet> result, Reason reason) {
        result.expectNoEvents()
                .expectException(TokenSetCommandRejectedException.class)
                .expectException(reasonIs(reason));
    }

    private static Matcher<?> reasonIs(Reason reason) {
        return new org.hamcrest.TypeSafeMatcher<TokenSetCommandRejectedException>() {
            @Override
            protected boolean matchesSafely(TokenSetCommandRejectedException e) {
                return e.reason() == reason;
            }

            @Override
            public void describeTo(org.hamcrest.Description description) {
                description.appendText("rejected with reason " + reason);
            }
        };
    }

    // ---- link ------------------------------------------------------------------------------------

    @Test
    void linkWhenNewThenLinkedWithKeyVersionOneAndSealedTokens() {
        fixture.givenNoPriorActivity()
                .when(link("access-1", "refresh-1", "id-1"))
                .expectEvents(firstLink());
    }

    @Test
    void linkWithoutRefreshAndIdTokenThenLinkedWithNulls() {
        fixture.givenNoPriorActivity()
                .when(link("access-1", null, null))
                .expectEvents(linked(1, 1, 1, false, "access-1", null, null));
    }

    @Test
    void linkWithoutAccessTokenThenRejected() {
        expectRejected(fixture.givenNoPriorActivity().when(link(null, "refresh-1", null)), Reason.NO_ACCESS_TOKEN);
    }

    @Test
    void relinkThenTokensReplacedUnderNewDataKeyVersion() {
        fixture.given(firstLink(), refreshed("access-2", null, 2, 1, 1))
                .when(link("access-3", "refresh-3", "id-3"))
                .expectEvents(linked(2, 3, 2, true, "access-3", "refresh-3", "id-3"));
    }

    @Test
    void relinkAfterErasedThenLinkedUnderAFreshDataKeyVersion() {
        fixture.given(firstLink(), revoked(), erased(1, USER_ACTOR, "user-disconnect"))
                .when(link("access-3", "refresh-3", null))
                .expectEvents(linked(2, 2, 2, true, "access-3", "refresh-3", null));
    }

    @Test
    void commandWithIdNotDerivedFromUserAndConnectorIsRefused() {
        assertThatThrownBy(() -> new LinkTokenSetCommand(TokenSetId.of("other", CONNECTOR), USER, CONNECTOR,
                TokenValue.of("a"), null, null, null, null, Set.of(), "s", "n", USER_ACTOR, "c"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- refresh ---------------------------------------------------------------------------------

    @Test
    void refreshWhenIdpOmitsRefreshTokenThenOldOneStaysCurrent() {
        fixture.given(firstLink())
                .when(refresh("access-2", null, 1))
                .expectEvents(refreshed("access-2", null, 2, 1, 1));
    }

    @Test
    void refreshWhenIdpRotatesRefreshTokenThenNewOneReplacesItWithNextVersion() {
        fixture.given(firstLink())
                .when(refresh("access-2", "refresh-2", 1))
                .expectEvents(refreshed("access-2", "refresh-2", 2, 2, 1));
    }

    @Test
    void refreshAfterTransientFailureThenActiveAgain() {
        fixture.given(firstLink(), new TokenRefreshFailed(ID, RefreshFailureKind.TRANSIENT, "temporarily_unavailable",
                        "503", RETRY_AT, 1, 1, SCHEDULER, "scheduled-refresh"))
                .when(refresh("access-2", null, 1))
                .expectEvents(refreshed("access-2", null, 2, 1, 1));
    }

    @Test
    void refreshWithoutRefreshTokenOnRecordThenRejected() {
        expectRejected(fixture.given(linked(1, 1, 1, false, "access-1", null, null))
                .when(refresh("access-2", null, 1)), Reason.NO_REFRESH_TOKEN);
    }

    @Test
    void refreshRevokedSetThenRejected() {
        expectRejected(fixture.given(firstLink(), revoked()).when(refresh("access-2", null, 1)), Reason.REVOKED);
    }

    @Test
    void refreshErasedSetThenRejected() {
        expectRejected(fixture.given(firstLink(), erased(1, ADMIN, "gdpr-request")).when(refresh("access-2", null, 1)),
                Reason.ERASED);
    }

    @Test
    void refreshWhenReauthorizationRequiredThenRejected() {
        expectRejected(fixture.given(firstLink(), reauthorizationRequired()).when(refresh("access-2", null, 1)),
                Reason.REAUTHORIZATION_REQUIRED);
    }

    @Test
    void refreshWithoutAccessTokenThenRejected() {
        expectRejected(fixture.given(firstLink()).when(new RecordTokenRefreshCommand(ID, null, null, null, null, null,
                Set.of(), 1, SCHEDULER, "scheduled-refresh")), Reason.NO_ACCESS_TOKEN);
    }

    @Test
    void refreshOfUnknownTokenSetThenAggregateNotFound() {
        fixture.givenNoPriorActivity()
                .when(refresh("access-2", null, 1))
                .expectNoEvents()
                .expectException(org.axonframework.modelling.command.AggregateNotFoundException.class);
    }

    // ---- refresh failures ------------------------------------------------------------------------

    @Test
    void transientFailureThenRecordedWithRetryTime() {
        fixture.given(firstLink())
                .when(transientFailure(1))
                .expectEvents(new TokenRefreshFailed(ID, RefreshFailureKind.TRANSIENT, "temporarily_unavailable", "503",
                        RETRY_AT, 1, 1, SCHEDULER, "scheduled-refresh"))
                .expectResultMessagePayload(RefreshFailureOutcome.RETRY_SCHEDULED);
    }

    @Test
    void secondTransientFailureThenConsecutiveCountGrows() {
        fixture.given(firstLink(), new TokenRefreshFailed(ID, RefreshFailureKind.TRANSIENT, "temporarily_unavailable",
                        "503", RETRY_AT, 1, 1, SCHEDULER, "scheduled-refresh"))
                .when(transientFailure(1))
                .expectEvents(new TokenRefreshFailed(ID, RefreshFailureKind.TRANSIENT, "temporarily_unavailable", "503",
                        RETRY_AT, 2, 1, SCHEDULER, "scheduled-refresh"));
    }

    @Test
    void permanentFailureThenFailedAndReauthorizationRequired() {
        fixture.given(firstLink())
                .when(permanentFailure(1))
                .expectEvents(new TokenRefreshFailed(ID, RefreshFailureKind.PERMANENT, "invalid_grant", "revoked by user",
                        null, 1, 1, SCHEDULER, "scheduled-refresh"), reauthorizationRequired())
                .expectResultMessagePayload(RefreshFailureOutcome.REAUTHORIZATION_REQUIRED);
    }

    @Test
    void permanentFailureWithStaleRefreshTokenThenIgnoredAsLostRace() {
        fixture.given(firstLink(), refreshed("access-2", "refresh-2", 2, 2, 1))
                .when(permanentFailure(1))
                .expectNoEvents()
                .expectResultMessagePayload(RefreshFailureOutcome.IGNORED_STALE_REFRESH_TOKEN);
    }

    @Test
    void failureOnRevokedSetThenRejected() {
        expectRejected(fixture.given(firstLink(), revoked()).when(transientFailure(1)), Reason.REVOKED);
    }

    @Test
    void failureWhenReauthorizationRequiredThenRejected() {
        expectRejected(fixture.given(firstLink(), reauthorizationRequired()).when(permanentFailure(1)),
                Reason.REAUTHORIZATION_REQUIRED);
    }

    @Test
    void transientFailureWithoutRetryTimeIsRefused() {
        assertThatThrownBy(() -> new RecordRefreshFailureCommand(ID, RefreshFailureKind.TRANSIENT, "x", null, null, 1,
                SCHEDULER, "c")).isInstanceOf(NullPointerException.class).hasMessageContaining("retryAt");
    }

    // ---- reauthorization -------------------------------------------------------------------------

    @Test
    void requireReauthorizationThenRequired() {
        fixture.given(firstLink())
                .when(new RequireReauthorizationCommand(ID, "subject changed", ADMIN, "admin-action"))
                .expectEvents(new ReauthorizationRequired(ID, "subject changed", ADMIN, "admin-action"));
    }

    @Test
    void requireReauthorizationTwiceThenNoSecondEvent() {
        fixture.given(firstLink(), reauthorizationRequired())
                .when(new RequireReauthorizationCommand(ID, "subject changed", ADMIN, "admin-action"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void requireReauthorizationOnErasedSetThenRejected() {
        expectRejected(fixture.given(firstLink(), erased(1, ADMIN, "gdpr-request"))
                .when(new RequireReauthorizationCommand(ID, "x", ADMIN, "admin-action")), Reason.ERASED);
    }

    @Test
    void linkAfterReauthorizationRequiredThenActiveWithNewKeyVersion() {
        fixture.given(firstLink(), reauthorizationRequired())
                .when(link("access-3", "refresh-3", null))
                .expectEvents(linked(2, 2, 2, true, "access-3", "refresh-3", null));
    }

    // ---- hand-out --------------------------------------------------------------------------------

    @Test
    void handOutThenRecordedWithClientAndVersion() {
        fixture.given(firstLink())
                .when(handOut("billing", 1))
                .expectEvents(new AccessTokenHandedOut(ID, "billing", 1, CLIENT, "token-request"));
    }

    @Test
    void handOutOfSameVersionToSameClientTwiceThenRecordedOnce() {
        fixture.given(firstLink(), new AccessTokenHandedOut(ID, "billing", 1, CLIENT, "token-request"))
                .when(handOut("billing", 1))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void handOutOfSameVersionToAnotherClientThenRecorded() {
        fixture.given(firstLink(), new AccessTokenHandedOut(ID, "billing", 1, CLIENT, "token-request"))
                .when(handOut("reports", 1))
                .expectEvents(new AccessTokenHandedOut(ID, "reports", 1, Actor.apiClient("reports"), "token-request"));
    }

    @Test
    void handOutOfNewVersionAfterRefreshThenRecordedAgain() {
        fixture.given(firstLink(), new AccessTokenHandedOut(ID, "billing", 1, CLIENT, "token-request"),
                        refreshed("access-2", null, 2, 1, 1))
                .when(handOut("billing", 2))
                .expectEvents(new AccessTokenHandedOut(ID, "billing", 2, CLIENT, "token-request"));
    }

    @Test
    void handOutThroughTokenExchangeThenRecordedWithTheSubjectToken() {
        ExchangedSubjectToken subject = new ExchangedSubjectToken("corp", "https://login.example", "alice", "jti-1");
        fixture.given(firstLink())
                .when(new RecordAccessTokenHandOutCommand(ID, "billing", 1, CLIENT, "token exchange", subject))
                .expectEvents(new AccessTokenHandedOut(ID, "billing", 1, CLIENT, "token exchange", subject));
    }

    @Test
    void handOutThroughTokenExchangeAfterTheTokenApiForTheSameVersionThenRecordedOnce() {
        fixture.given(firstLink(), new AccessTokenHandedOut(ID, "billing", 1, CLIENT, "token-request"))
                .when(new RecordAccessTokenHandOutCommand(ID, "billing", 1, CLIENT, "token exchange",
                        new ExchangedSubjectToken("corp", "https://login.example", "alice", null)))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void handOutWhileRefreshFailingThenStillRecorded() {
        fixture.given(firstLink(), new TokenRefreshFailed(ID, RefreshFailureKind.TRANSIENT, "temporarily_unavailable",
                        "503", RETRY_AT, 1, 1, SCHEDULER, "scheduled-refresh"))
                .when(handOut("billing", 1))
                .expectEvents(new AccessTokenHandedOut(ID, "billing", 1, CLIENT, "token-request"));
    }

    @Test
    void handOutOfUnknownVersionThenRejected() {
        expectRejected(fixture.given(firstLink()).when(handOut("billing", 2)), Reason.UNKNOWN_TOKEN_VERSION);
    }

    @Test
    void handOutWhenReauthorizationRequiredThenRejected() {
        expectRejected(fixture.given(firstLink(), reauthorizationRequired()).when(handOut("billing", 1)),
                Reason.REAUTHORIZATION_REQUIRED);
    }

    @Test
    void handOutWhenRevokedThenRejected() {
        expectRejected(fixture.given(firstLink(), revoked()).when(handOut("billing", 1)), Reason.REVOKED);
    }

    @Test
    void handOutWhenErasedThenRejected() {
        expectRejected(fixture.given(firstLink(), erased(1, ADMIN, "gdpr-request")).when(handOut("billing", 1)),
                Reason.ERASED);
    }

    // ---- revoke and erase ------------------------------------------------------------------------

    @Test
    void revokeWithEraseThenRevokedErasedAndDataKeysDestroyed() {
        fixture.given(firstLink())
                .when(revoke(true))
                .expectEvents(revoked(), erased(1, USER_ACTOR, "user-disconnect"));
        assertThat(cipher.destroyed).containsExactly(ID + "<=1");
    }

    @Test
    void revokeWithoutEraseThenRevokedAndKeysKept() {
        fixture.given(firstLink())
                .when(revoke(false))
                .expectEvents(revoked());
        assertThat(cipher.destroyed).isEmpty();
    }

    @Test
    void revokeWhenReauthorizationRequiredThenRevoked() {
        fixture.given(firstLink(), reauthorizationRequired())
                .when(revoke(false))
                .expectEvents(revoked());
    }

    @Test
    void revokeTwiceThenRejected() {
        expectRejected(fixture.given(firstLink(), revoked()).when(revoke(true)), Reason.REVOKED);
    }

    @Test
    void revokeErasedSetThenRejected() {
        expectRejected(fixture.given(firstLink(), erased(1, ADMIN, "gdpr-request")).when(revoke(true)), Reason.ERASED);
    }

    @Test
    void eraseThenEveryDataKeyVersionDestroyed() {
        fixture.given(firstLink(), linked(2, 2, 2, true, "access-1", "refresh-1", "id-1"))
                .when(erase())
                .expectEvents(erased(2, ADMIN, "gdpr-request"));
        assertThat(cipher.destroyed).containsExactly(ID + "<=2");
    }

    @Test
    void eraseRevokedSetThenErased() {
        fixture.given(firstLink(), revoked())
                .when(erase())
                .expectEvents(erased(1, ADMIN, "gdpr-request"));
    }

    @Test
    void eraseTwiceThenNoSecondEvent() {
        fixture.given(firstLink(), erased(1, ADMIN, "gdpr-request"))
                .when(erase())
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
        assertThat(cipher.destroyed).isEmpty();
    }

    // ---- messages never show secrets -------------------------------------------------------------

    @Test
    void commandToStringRedactsTokens() {
        assertThat(link("access-secret-value", "refresh-secret-value", "id-secret-value").toString())
                .doesNotContain("secret-value")
                .contains("TokenValue[redacted]");
    }
}
