package dev.tokenbroker.connectors.github;

import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.testkit.ConnectorTestKit;
import dev.tokenbroker.connectors.testkit.SimulatedIdp;

import java.util.Map;

/** The GitHub connector against the documentation-based GitHub simulation. */
public class GitHubConnectorKitTest extends ConnectorTestKit {

    // One simulation per JVM: the kit's self-tests run this class again through the JUnit launcher.
    static final GitHubSimulation GITHUB = new GitHubSimulation();

    @Override
    protected SimulatedIdp idp() {
        return GITHUB;
    }

    @Override
    protected Connector connector(ConnectorTimeouts timeouts) {
        return new GitHubConnectorFactory().create(ConnectorSettings.of("github", "github", GitHubSimulation.CLIENT_ID,
                GITHUB.clientSecret(), timeouts,
                Map.of("web-uri", GITHUB.baseUri().toString(), "api-uri", GITHUB.baseUri().toString())));
    }
}
