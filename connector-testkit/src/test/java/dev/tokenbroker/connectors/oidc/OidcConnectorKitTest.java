package dev.tokenbroker.connectors.oidc;

import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.testkit.ConnectorTestKit;
import dev.tokenbroker.connectors.testkit.SimulatedIdp;

import java.util.Map;

/** The generic OIDC connector, configured by issuer only, against NAV's mock-oauth2-server. */
public class OidcConnectorKitTest extends ConnectorTestKit {

    static final MockOAuth2ServerSimulation IDP = new MockOAuth2ServerSimulation();

    @Override
    protected SimulatedIdp idp() {
        return IDP;
    }

    @Override
    protected Connector connector(ConnectorTimeouts timeouts) {
        return new OidcConnectorFactory().create(ConnectorSettings.of("corp", "oidc", MockOAuth2ServerSimulation.CLIENT_ID,
                IDP.clientSecret(), timeouts, Map.of("issuer", IDP.issuerUrl())));
    }
}
