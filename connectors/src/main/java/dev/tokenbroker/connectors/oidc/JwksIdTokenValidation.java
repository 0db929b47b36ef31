package dev.tokenbroker.connectors.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;
import dev.tokenbroker.connectors.oauth2.IdTokenValidation;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;

import java.net.MalformedURLException;
import java.net.URI;
import java.util.Objects;
import java.util.Set;

/**
 * ID token validation with the IdP's published keys: signature (keys from the JWKS URI, cached, re-fetched
 * on an unknown {@code kid}), {@code iss}, {@code aud} contains our client id, {@code exp}, {@code iat}, and
 * {@code nonce} when one was sent; {@code exp} and {@code iat} with {@link #MAX_CLOCK_SKEW} of tolerance. Only the asymmetric algorithms the IdP advertises are accepted, never
 * {@code none} or HMAC with the client secret.
 *
 * @see <a href="https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation">OIDC Core §3.1.3.7</a>
 */
public final class JwksIdTokenValidation implements IdTokenValidation {

    private static final int JWKS_SIZE_LIMIT = 512 * 1024;

    /**
     * Clock skew tolerated between the IdP and the broker for {@code exp} and {@code iat}: an ID token issued up to
     * this far in the future, or expired up to this long ago, is accepted; beyond it, rejected as INVALID_RESPONSE.
     */
    public static final java.time.Duration MAX_CLOCK_SKEW = java.time.Duration.ofSeconds(60);

    private final String connectorId;
    private final IDTokenValidator validator;

    public JwksIdTokenValidation(String connectorId, Issuer issuer, ClientID clientId, URI jwksUri,
                                 Set<JWSAlgorithm> algorithms, ConnectorTimeouts timeouts) {
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(jwksUri.toURL(),
                    new DefaultResourceRetriever(timeouts.connectMillis(), timeouts.readMillis(), JWKS_SIZE_LIMIT)).build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("JWKS URI is not a URL: " + jwksUri, e);
        }
        this.validator = new IDTokenValidator(issuer, clientId, new JWSVerificationKeySelector<>(Set.copyOf(algorithms), keys), null);
        this.validator.setMaxClockSkew(Math.toIntExact(MAX_CLOCK_SKEW.toSeconds()));
    }

    /**
     * Fetches the JWKS through the connector's {@link UpstreamHttpClient}, so a JWKS endpoint that trickles, hangs
     * or answers with a huge body is bounded like every other call (a plain socket read timeout would not bound a
     * body that trickles in byte by byte).
     */
    public JwksIdTokenValidation(String connectorId, Issuer issuer, ClientID clientId, URI jwksUri,
                                 Set<JWSAlgorithm> algorithms, UpstreamHttpClient http) {
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(http, "http");
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(jwksUri.toURL(), url -> fetch(http, url)).build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("JWKS URI is not a URL: " + jwksUri, e);
        }
        this.validator = new IDTokenValidator(issuer, clientId, new JWSVerificationKeySelector<>(Set.copyOf(algorithms), keys), null);
        this.validator.setMaxClockSkew(Math.toIntExact(MAX_CLOCK_SKEW.toSeconds()));
    }

    private static Resource fetch(UpstreamHttpClient http, URL url) throws IOException {
        HTTPRequest request;
        try {
            request = new HTTPRequest(HTTPRequest.Method.GET, url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException("JWKS URL is not a URI", e);
        }
        request.setAccept("application/json, application/jwk-set+json");
        HTTPResponse response;
        try {
            response = http.send(request, ConnectorOperation.DISCOVERY);
        } catch (ConnectorException e) {
            throw new IOException("the JWKS could not be fetched: " + e.kind(), e);
        }
        if (response.getStatusCode() != 200) {
            throw new IOException("the JWKS endpoint answered " + response.getStatusCode());
        }
        return new Resource(response.getBody(), response.getHeaderValue("Content-Type"));
    }

    @Override
    public IDTokenClaimsSet validate(JWT idToken, Nonce expectedNonce, ConnectorOperation operation) {
        try {
            return validator.validate(idToken, expectedNonce);
        } catch (BadJOSEException e) {
            // Nimbus messages can quote claim values (the nonce): say what was checked, not what was seen.
            throw ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, connectorId, operation)
                    .detail("the ID token failed validation (signature, iss, aud, exp, iat or nonce): " + e.getClass().getSimpleName())
                    .build();
        } catch (KeySourceException e) {
            throw ConnectorException.builder(ConnectorErrorKind.TRANSIENT, connectorId, operation)
                    .detail("the IdP's JWKS could not be fetched").build();
        } catch (JOSEException e) {
            throw ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, connectorId, operation)
                    .detail("the ID token signature could not be verified").build();
        }
    }
}
