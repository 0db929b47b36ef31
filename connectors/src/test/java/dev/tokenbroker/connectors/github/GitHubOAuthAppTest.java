package dev.tokenbroker.connectors.github;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A GitHub OAuth App (as opposed to the GitHub App the kit simulates): "Authorizing OAuth apps" documents the
 * token response as {@code access_token}, {@code scope} (comma separated) and {@code token_type} only — no
 * expiry, no refresh token.
 */
class GitHubOAuthAppTest {

    private final WireMockServer github = new WireMockServer(options().dynamicPort());
    private Connector connector;

    @BeforeEach
    void start() {
        github.start();
        connector = new GitHubConnectorFactory().create(ConnectorSettings.of("github", "github", "Ov23liAbCdEf", "oauth-app-secret",
                ConnectorTimeouts.DEFAULTS, Map.of("web-uri", github.baseUrl(), "api-uri", github.baseUrl())));
    }

    @AfterEach
    void stop() {
        github.stop();
    }

    @Test
    void oauthAppTokensHaveNoExpiryAndNoRefreshToken() {
        github.stubFor(post(urlPathEqualTo("/login/oauth/access_token")).withFormParam("code", equalTo("c0de"))
                .willReturn(okJson("{\"access_token\":\"gho_16C7e42F292c6912E7710c838347Ae178B4a\",\"scope\":\"repo,gist\",\"token_type\":\"bearer\"}")));
        github.stubFor(get(urlPathEqualTo("/user"))
                .willReturn(okJson("{\"login\":\"octocat\",\"id\":1,\"name\":null}")));
        AuthorizationStart start = connector.startAuthorization(URI.create("https://broker.example/callback"));

        TokenResult tokens = connector.exchange(URI.create("https://broker.example/callback?code=c0de&state="
                + start.pending().state().getValue()), start.pending());
        UpstreamAccount account = connector.identify(tokens);

        assertThat(tokens.accessTokenExpiresAt()).isEmpty();
        assertThat(tokens.refreshToken()).isEmpty();
        assertThat(tokens.grantedScope().orElseThrow().toStringList()).containsExactly("repo", "gist");
        assertThat(tokens.toString()).doesNotContain("gho_16C7e42F292c6912E7710c838347Ae178B4a");
        assertThat(account).isEqualTo(new UpstreamAccount("1", java.util.Optional.of("octocat")));
    }

    @Test
    void revokedAuthorizationShowsAsBadCredentialsOnTheUserApi() {
        github.stubFor(get(urlPathEqualTo("/user")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Bad credentials\"}")));
        TokenResult tokens = new TokenResult(new com.nimbusds.oauth2.sdk.token.BearerAccessToken("gho_revoked"), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());

        ConnectorException failure = catchThrowableOfType(() -> connector.identify(tokens), ConnectorException.class);

        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.PERMANENT_GRANT);
        assertThat(failure.getMessage()).doesNotContain("gho_revoked");
    }
}
