package dev.tokenbroker.connectors.oidc;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;

import java.net.URI;

/**
 * Fetches an OpenID Provider's metadata and checks that it describes the configured issuer (a document
 * naming another issuer would let that issuer's tokens in).
 *
 * @see <a href="https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig">OIDC Discovery §4</a>
 */
public final class OidcDiscovery {

    private OidcDiscovery() {
    }

    public static OIDCProviderMetadata fetch(Issuer issuer, UpstreamHttpClient http) {
        String base = issuer.getValue().endsWith("/") ? issuer.getValue().substring(0, issuer.getValue().length() - 1) : issuer.getValue();
        URI documentUri = URI.create(base + "/.well-known/openid-configuration");
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, documentUri);
        request.setAccept("application/json");
        HTTPResponse response = http.send(request, ConnectorOperation.DISCOVERY);
        if (!response.indicatesSuccess()) {
            throw failure(http, ConnectorErrorKind.CONFIGURATION, "no discovery document at " + documentUri
                    + ": check broker.connectors." + http.connectorId() + ".issuer").httpStatus(response.getStatusCode()).build();
        }
        OIDCProviderMetadata metadata;
        try {
            metadata = OIDCProviderMetadata.parse(response.getBodyAsJSONObject());
        } catch (ParseException e) {
            throw failure(http, ConnectorErrorKind.INVALID_RESPONSE, "the discovery document at " + documentUri + " is not valid OIDC provider metadata").build();
        }
        if (!issuer.equals(metadata.getIssuer())) {
            throw failure(http, ConnectorErrorKind.CONFIGURATION, "the discovery document names issuer " + metadata.getIssuer()
                    + ": set broker.connectors." + http.connectorId() + ".issuer to exactly that value").build();
        }
        return metadata;
    }

    private static ConnectorException.Builder failure(UpstreamHttpClient http, ConnectorErrorKind kind, String detail) {
        return ConnectorException.builder(kind, http.connectorId(), ConnectorOperation.DISCOVERY).detail(detail);
    }
}
