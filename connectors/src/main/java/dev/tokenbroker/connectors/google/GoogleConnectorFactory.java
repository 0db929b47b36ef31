package dev.tokenbroker.connectors.google;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import dev.tokenbroker.connectors.ConfigurationProperty;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorFactory;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;
import dev.tokenbroker.connectors.oauth2.OAuth2Connector;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorConfiguration;
import dev.tokenbroker.connectors.oidc.JwksIdTokenValidation;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Type {@code google}: Google's OpenID Connect with fixed endpoints (no discovery round trip) and Google's
 * two extra parameters. Google issues a refresh token only with {@code access_type=offline}, and again
 * for a returning user only with {@code prompt=consent}; both are sent unless {@code offline-access=false}.
 * Google's refresh responses carry no refresh token: the result says so and the caller keeps the old one.
 * {@code invalid_grant} ("Token has been expired or revoked.") ends the grant. Revocation goes to
 * {@code https://oauth2.googleapis.com/revoke} with only the token and client id.
 *
 * <p>All URLs can be overridden (for tests against a simulation, or a proxy).
 *
 * @see <a href="https://developers.google.com/identity/protocols/oauth2/web-server">Using OAuth 2.0 for Web Server Applications</a>
 * @see <a href="https://developers.google.com/identity/openid-connect/openid-connect">Google OpenID Connect</a>
 */
public final class GoogleConnectorFactory implements ConnectorFactory {

    public static final String TYPE = "google";
    public static final String ISSUER = "https://accounts.google.com";
    public static final String AUTHORIZATION_URI = "https://accounts.google.com/o/oauth2/v2/auth";
    public static final String TOKEN_URI = "https://oauth2.googleapis.com/token";
    public static final String REVOCATION_URI = "https://oauth2.googleapis.com/revoke";
    public static final String USERINFO_URI = "https://openidconnect.googleapis.com/v1/userinfo";
    public static final String JWKS_URI = "https://www.googleapis.com/oauth2/v3/certs";

    private static final List<ConfigurationProperty> PROPERTIES = List.of(
            ConfigurationProperty.withDefault("offline-access", "Ask for a refresh token (access_type=offline, prompt=consent). Without it the broker cannot refresh.", "true"),
            ConfigurationProperty.withDefault("issuer", "Expected iss of ID tokens.", ISSUER),
            ConfigurationProperty.withDefault("authorization-uri", "Authorization endpoint.", AUTHORIZATION_URI),
            ConfigurationProperty.withDefault("token-uri", "Token endpoint.", TOKEN_URI),
            ConfigurationProperty.withDefault("revocation-uri", "Revocation endpoint.", REVOCATION_URI),
            ConfigurationProperty.withDefault("userinfo-uri", "Userinfo endpoint.", USERINFO_URI),
            ConfigurationProperty.withDefault("jwks-uri", "Google's signing keys for ID tokens.", JWKS_URI));

    private final Clock clock;

    public GoogleConnectorFactory() {
        this(Clock.systemUTC());
    }

    public GoogleConnectorFactory(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "Google";
    }

    @Override
    public List<ConfigurationProperty> configurationProperties() {
        return PROPERTIES;
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        Issuer issuer = new Issuer(settings.property("issuer").orElse(ISSUER));
        Map<String, String> authorizationParameters = new LinkedHashMap<>();
        if (settings.flag("offline-access", true)) {
            authorizationParameters.put("access_type", "offline");
            authorizationParameters.put("prompt", "consent");
        }
        OAuth2ConnectorConfiguration configuration = OAuth2ConnectorConfiguration.builder(settings.connectorId(), settings.clientId(),
                        settings.clientSecret(), settings.uriOr("authorization-uri", AUTHORIZATION_URI), settings.uriOr("token-uri", TOKEN_URI))
                // Google documents client_id and client_secret in the form body.
                .clientAuthentication(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .revocationEndpoint(settings.uriOr("revocation-uri", REVOCATION_URI), false)
                .userInfoEndpoint(settings.uriOr("userinfo-uri", USERINFO_URI))
                .issuer(issuer, false)
                .defaultScope(settings.scopesOr("openid email profile"))
                .pkce(true)
                .authorizationParameters(authorizationParameters)
                .build();
        UpstreamHttpClient http = new UpstreamHttpClient(settings.connectorId(), settings.timeouts(), clock);
        JwksIdTokenValidation idTokens = new JwksIdTokenValidation(settings.connectorId(), issuer, settings.clientId(),
                settings.uriOr("jwks-uri", JWKS_URI), Set.of(JWSAlgorithm.RS256), http);
        return new OAuth2Connector(configuration, http, idTokens);
    }
}
