package dev.tokenbroker.connectors.oauth2;

import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.oidc.MockOAuth2ServerSimulation;
import dev.tokenbroker.connectors.testkit.ConnectorTestKit;
import dev.tokenbroker.connectors.testkit.SimulatedIdp;
import no.nav.security.mock.oauth2.MockOAuth2Server;

import java.util.Map;

/**
 * The generic OAuth 2.0 connector, every endpoint declared, against mock-oauth2-server used as a plain OAuth 2.0
 * server: no ID token validation, account from the userinfo endpoint, client_secret_post. (Its authorization
 * endpoint insists on the openid scope, so that is requested; the plain OAuth 2.0 connector ignores the ID token.)
 */
public class OAuth2ConnectorKitTest extends ConnectorTestKit {

    static final MockOAuth2ServerSimulation IDP = new MockOAuth2ServerSimulation();

    @Override
    protected SimulatedIdp idp() {
        return IDP;
    }

    @Override
    protected Connector connector(ConnectorTimeouts timeouts) {
        MockOAuth2Server server = IDP.server();
        String issuerId = MockOAuth2ServerSimulation.ISSUER_ID;
        return new OAuth2ConnectorFactory().create(ConnectorSettings.of("plain", "oauth2", MockOAuth2ServerSimulation.CLIENT_ID,
                IDP.clientSecret(), timeouts, Map.of(
                        "authorization-uri", server.authorizationEndpointUrl(issuerId).toString(),
                        "token-uri", server.tokenEndpointUrl(issuerId).toString(),
                        "revocation-uri", server.revocationEndpointUrl(issuerId).toString(),
                        "userinfo-uri", server.userInfoUrl(issuerId).toString(),
                        "issuer", IDP.issuerUrl(),
                        "client-authentication", "post",
                        "authorization-parameters.ui_locales", "en")).withScopes(new com.nimbusds.oauth2.sdk.Scope("openid", "profile")));
    }
}
