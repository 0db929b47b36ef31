package dev.tokenbroker.connectors.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.tokenbroker.connectors.ConfigurationProperty;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorFactory;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;
import dev.tokenbroker.connectors.oauth2.OAuth2Connector;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorConfiguration;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Type {@code oidc}: any OpenID Provider, from its issuer URL alone. Endpoints, revocation, RFC 9207 support,
 * ID token algorithms and keys come from the discovery document.
 *
 * @see <a href="https://openid.net/specs/openid-connect-discovery-1_0.html">OIDC Discovery 1.0</a>
 */
public final class OidcConnectorFactory implements ConnectorFactory {

    public static final String TYPE = "oidc";
    static final String DEFAULT_SCOPES = "openid profile email";

    private static final List<ConfigurationProperty> PROPERTIES = List.of(
            ConfigurationProperty.required("issuer", "The issuer identifier, exactly as in the IdP's discovery document (e.g. https://accounts.example.com); the broker reads <issuer>/.well-known/openid-configuration."),
            ConfigurationProperty.optional("client-authentication", "basic or post; by default basic, or post when the IdP supports only that."),
            OAuth2ConnectorFactory.PKCE,
            OAuth2ConnectorFactory.AUTHORIZATION_PARAMETERS,
            OAuth2ConnectorFactory.TOKEN_PARAMETERS);

    private final Clock clock;

    public OidcConnectorFactory() {
        this(Clock.systemUTC());
    }

    public OidcConnectorFactory(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "Generic OpenID Connect";
    }

    @Override
    public List<ConfigurationProperty> configurationProperties() {
        return PROPERTIES;
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        Issuer issuer = new Issuer(settings.requiredUri("issuer", "set it to the IdP's issuer URL").toString());
        // Parse everything now, so that bad settings fail start-up and not the first user's login.
        boolean explicitClientAuthentication = settings.property("client-authentication").isPresent();
        ClientAuthenticationMethod configuredMethod = OAuth2ConnectorFactory.clientAuthentication(settings);
        boolean pkce = settings.flag("pkce", true);
        UpstreamHttpClient http = new UpstreamHttpClient(settings.connectorId(), settings.timeouts(), clock);
        return new DiscoveringOidcConnector(settings.connectorId(), () -> {
            OIDCProviderMetadata metadata = OidcDiscovery.fetch(issuer, http);
            ClientAuthenticationMethod method = explicitClientAuthentication ? configuredMethod : preferredMethod(metadata);
            OAuth2ConnectorConfiguration.Builder builder = OAuth2ConnectorConfiguration.builder(settings.connectorId(),
                            settings.clientId(), settings.clientSecret(), metadata.getAuthorizationEndpointURI(), metadata.getTokenEndpointURI())
                    .clientAuthentication(method)
                    .issuer(issuer, metadata.supportsAuthorizationResponseIssuerParam())
                    .defaultScope(settings.scopesOr(DEFAULT_SCOPES))
                    .pkce(pkce)
                    .authorizationParameters(settings.parameters("authorization-parameters"))
                    .tokenParameters(settings.parameters("token-parameters"));
            if (metadata.getRevocationEndpointURI() != null) {
                builder.revocationEndpoint(metadata.getRevocationEndpointURI(), true);
            }
            if (metadata.getUserInfoEndpointURI() != null) {
                builder.userInfoEndpoint(metadata.getUserInfoEndpointURI());
            }
            List<JWSAlgorithm> algorithms = metadata.getIDTokenJWSAlgs() == null ? List.of(JWSAlgorithm.RS256) : metadata.getIDTokenJWSAlgs();
            JwksIdTokenValidation idTokens = new JwksIdTokenValidation(settings.connectorId(), issuer, settings.clientId(),
                    metadata.getJWKSetURI(), asymmetric(algorithms), http);
            return new OAuth2Connector(builder.build(), http, idTokens);
        });
    }

    private static ClientAuthenticationMethod preferredMethod(OIDCProviderMetadata metadata) {
        List<ClientAuthenticationMethod> supported = metadata.getTokenEndpointAuthMethods();
        if (supported != null && !supported.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                && supported.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
            return ClientAuthenticationMethod.CLIENT_SECRET_POST;
        }
        return ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
    }

    /** HMAC ID tokens would be keyed with the client secret; {@code none} is unsigned. Neither is accepted. */
    private static Set<JWSAlgorithm> asymmetric(List<JWSAlgorithm> algorithms) {
        Set<JWSAlgorithm> accepted = new java.util.HashSet<>(algorithms);
        accepted.retainAll(JWSAlgorithm.Family.SIGNATURE);
        return accepted.isEmpty() ? Set.of(JWSAlgorithm.RS256) : accepted;
    }
}
