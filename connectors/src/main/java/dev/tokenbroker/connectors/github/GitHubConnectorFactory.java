package dev.tokenbroker.connectors.github;

import dev.tokenbroker.connectors.ConfigurationProperty;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorFactory;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;

import java.time.Clock;
import java.util.List;

/**
 * Type {@code github}: a GitHub OAuth App or GitHub App (user access tokens). Which one is decided by the
 * client id: GitHub's answers tell the connector whether tokens expire.
 */
public final class GitHubConnectorFactory implements ConnectorFactory {

    public static final String TYPE = "github";

    private static final List<ConfigurationProperty> PROPERTIES = List.of(
            ConfigurationProperty.withDefault("web-uri", "GitHub's web host (authorization and token endpoints); https://<host> for GitHub Enterprise Server.", GitHubConnector.WEB_URI),
            ConfigurationProperty.withDefault("api-uri", "GitHub's REST API base; https://<host>/api/v3 for GitHub Enterprise Server.", GitHubConnector.API_URI),
            ConfigurationProperty.withDefault("pkce", "Send a PKCE S256 challenge (GitHub supports PKCE).", "true"));

    private final Clock clock;

    public GitHubConnectorFactory() {
        this(Clock.systemUTC());
    }

    public GitHubConnectorFactory(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "GitHub";
    }

    @Override
    public List<ConfigurationProperty> configurationProperties() {
        return PROPERTIES;
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        return new GitHubConnector(settings.connectorId(), settings.clientId(), settings.clientSecret(),
                settings.uriOr("web-uri", GitHubConnector.WEB_URI), settings.uriOr("api-uri", GitHubConnector.API_URI),
                settings.scopesOr(GitHubConnector.DEFAULT_SCOPES), settings.flag("pkce", true),
                new UpstreamHttpClient(settings.connectorId(), settings.timeouts(), clock));
    }
}
