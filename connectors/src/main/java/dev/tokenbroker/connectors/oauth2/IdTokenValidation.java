package dev.tokenbroker.connectors.oauth2;

import com.nimbusds.jwt.JWT;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import dev.tokenbroker.connectors.ConnectorOperation;

/**
 * Validates ID tokens for an {@link OAuth2Connector} that speaks OpenID Connect. Without one, the connector
 * is plain OAuth 2.0: no nonce, no ID token.
 *
 * @see <a href="https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation">OIDC Core §3.1.3.7</a>
 */
public interface IdTokenValidation {

    /**
     * @param expectedNonce the nonce sent in the authorization request; {@code null} after a refresh, where
     *                      the ID token carries no nonce (OIDC Core §12.2)
     * @return the validated claims
     * @throws dev.tokenbroker.connectors.ConnectorException INVALID_RESPONSE for a bad token, TRANSIENT when
     *                                                       the JWKS cannot be fetched
     */
    IDTokenClaimsSet validate(JWT idToken, Nonce expectedNonce, ConnectorOperation operation);
}
