package dev.tokenbroker.connectors.google;

import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.testkit.ConnectorTestKit;
import dev.tokenbroker.connectors.testkit.SimulatedIdp;

/** The Google connector against the documentation-based Google simulation. */
public class GoogleConnectorKitTest extends ConnectorTestKit {

    static final GoogleSimulation GOOGLE = new GoogleSimulation();

    @Override
    protected SimulatedIdp idp() {
        return GOOGLE;
    }

    @Override
    protected Connector connector(ConnectorTimeouts timeouts) {
        return new GoogleConnectorFactory().create(ConnectorSettings.of("google", "google", GoogleSimulation.CLIENT_ID,
                GOOGLE.clientSecret(), timeouts, GOOGLE.connectorSettings()));
    }
}
