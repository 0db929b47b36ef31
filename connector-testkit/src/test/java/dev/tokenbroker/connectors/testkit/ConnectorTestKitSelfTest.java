package dev.tokenbroker.connectors.testkit;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.RevocationOutcome;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import dev.tokenbroker.connectors.github.GitHubConnectorFactory;
import dev.tokenbroker.connectors.github.GitHubSimulation;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kit must catch broken connectors, not just pass good ones: the same GitHub connector is run through the
 * kit correct, with every error reported as TRANSIENT, and with rotated refresh tokens dropped.
 */
class ConnectorTestKitSelfTest {

    static final GitHubSimulation GITHUB = new GitHubSimulation();

    @Test
    void kitPassesTheUnbrokenConnector() {
        KitRun run = KitRun.of(CorrectGitHubKit.class);

        assertThat(run.failed()).isEmpty();
        assertThat(run.passed()).hasSizeGreaterThanOrEqualTo(14);
    }

    @Test
    void kitFailsAConnectorThatMisclassifiesErrors() {
        KitRun run = KitRun.of(MisclassifyingGitHubKit.class);

        assertThat(run.failedChecks()).containsExactlyInAnyOrder(
                "revokedOrExpiredRefreshTokenEndsTheGrant",
                "rejectedClientCredentialsAreAConfigurationError",
                "unauthorizedClientIsAConfigurationError",
                "codeExchangeWithAMismatchedRedirectUriIsAConfigurationError",
                "codeExchangeRejectsAForeignState",
                // it also loses the IdP's retry-at
                "rateLimitWithRetryAfterSecondsIsTransientWithRetryAt",
                "rateLimitUntilAnInstantIsTransientWithThatRetryAt");
        assertThat(run.failed().values()).allSatisfy(failure -> assertThat(failure).isInstanceOf(AssertionError.class));
        assertThat(run.failed().get("MisclassifyingGitHubKit.revokedOrExpiredRefreshTokenEndsTheGrant"))
                .hasMessageContaining("PERMANENT_GRANT");
    }

    @Test
    void kitFailsAConnectorThatDropsARotatedRefreshToken() {
        KitRun run = KitRun.of(RefreshTokenDroppingGitHubKit.class);

        assertThat(run.failedChecks()).containsExactly("refreshReturnsTheRotatedRefreshToken");
        assertThat(run.failed().values()).allSatisfy(failure -> assertThat(failure)
                .isInstanceOf(AssertionError.class).hasMessageContaining("must not be dropped"));
    }

    @Test
    void kitFailsAnOidcConnectorThatAcceptsAnotherSubjectOnRefresh() {
        KitRun run = KitRun.of(SubjectIgnoringOidcKit.class);

        assertThat(run.failedChecks()).containsExactly("refreshedIdTokenForAnotherSubjectIsRefused");
    }

    /** A plausible bug: a connector written against the two-argument refresh that drops the expected subject. */
    static class SubjectIgnoringOidcKit extends dev.tokenbroker.connectors.oidc.OidcConnectorKitTest {
        @Override
        protected Connector connector(ConnectorTimeouts timeouts) {
            Connector correct = super.connector(timeouts);
            return new ForwardingConnector(correct) {
                @Override
                public TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope, String expectedSubject) {
                    return correct.refresh(refreshToken, narrowerScope);
                }
            };
        }
    }

    static Connector gitHubConnector(ConnectorTimeouts timeouts) {
        return new GitHubConnectorFactory().create(ConnectorSettings.of("github", "github", GitHubSimulation.CLIENT_ID,
                GITHUB.clientSecret(), timeouts, Map.of("web-uri", GITHUB.baseUri().toString(), "api-uri", GITHUB.baseUri().toString())));
    }

    // Static nested: surefire does not run them on its own; only the launcher above does.

    static class CorrectGitHubKit extends ConnectorTestKit {
        @Override
        protected SimulatedIdp idp() {
            return GITHUB;
        }

        @Override
        protected Connector connector(ConnectorTimeouts timeouts) {
            return gitHubConnector(timeouts);
        }
    }

    static class MisclassifyingGitHubKit extends CorrectGitHubKit {
        @Override
        protected Connector connector(ConnectorTimeouts timeouts) {
            return new RetryEverythingConnector(gitHubConnector(timeouts));
        }
    }

    static class RefreshTokenDroppingGitHubKit extends CorrectGitHubKit {
        @Override
        protected Connector connector(ConnectorTimeouts timeouts) {
            return new RefreshTokenDroppingConnector(gitHubConnector(timeouts));
        }
    }

    /** A plausible bug: "when in doubt, retry" — every failure becomes TRANSIENT. */
    static final class RetryEverythingConnector extends ForwardingConnector {
        RetryEverythingConnector(Connector delegate) {
            super(delegate);
        }

        @Override
        <T> T call(Supplier<T> operation) {
            try {
                return operation.get();
            } catch (ConnectorException e) {
                throw ConnectorException.builder(ConnectorErrorKind.TRANSIENT, e.connectorId(), e.operation()).detail("retry later").build();
            }
        }
    }

    /** A plausible bug: treating refresh responses like Google's and ignoring refresh_token. */
    static final class RefreshTokenDroppingConnector extends ForwardingConnector {
        RefreshTokenDroppingConnector(Connector delegate) {
            super(delegate);
        }

        @Override
        public TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope) {
            TokenResult result = super.refresh(refreshToken, narrowerScope);
            return new TokenResult(result.accessToken(), Optional.empty(), result.idToken(), result.idTokenClaims(),
                    result.accessTokenExpiresAt(), result.refreshTokenExpiresAt(), result.grantedScope());
        }
    }

    abstract static class ForwardingConnector implements Connector {
        private final Connector delegate;

        ForwardingConnector(Connector delegate) {
            this.delegate = delegate;
        }

        <T> T call(Supplier<T> operation) {
            return operation.get();
        }

        @Override
        public String id() {
            return delegate.id();
        }

        @Override
        public AuthorizationStart startAuthorization(URI redirectUri, Scope scope) {
            return call(() -> delegate.startAuthorization(redirectUri, scope));
        }

        @Override
        public TokenResult exchange(URI callbackUri, PendingAuthorization pending) {
            return call(() -> delegate.exchange(callbackUri, pending));
        }

        @Override
        public TokenResult refresh(RefreshToken refreshToken, Scope narrowerScope) {
            return call(() -> delegate.refresh(refreshToken, narrowerScope));
        }

        @Override
        public RevocationOutcome revoke(AccessToken accessToken, Optional<RefreshToken> refreshToken) {
            return call(() -> delegate.revoke(accessToken, refreshToken));
        }

        @Override
        public UpstreamAccount identify(TokenResult tokens) {
            return call(() -> delegate.identify(tokens));
        }
    }
}
