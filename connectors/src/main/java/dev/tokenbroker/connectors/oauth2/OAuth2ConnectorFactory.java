package dev.tokenbroker.connectors.oauth2;

import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import dev.tokenbroker.connectors.ConfigurationProperty;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorFactory;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;

import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * Type {@code oauth2}: any RFC 6749 provider, configured entirely by settings. Keys (below
 * {@code broker.connectors.<id>.}) are listed by {@link #configurationProperties()}.
 */
public final class OAuth2ConnectorFactory implements ConnectorFactory {

    public static final String TYPE = "oauth2";

    public static final ConfigurationProperty CLIENT_AUTHENTICATION = ConfigurationProperty.withDefault("client-authentication",
            "How the broker authenticates at the token endpoint: basic (HTTP Basic, RFC 6749 §2.3.1 preferred) or post (client_id and client_secret in the form body).",
            "basic");
    public static final ConfigurationProperty PKCE = ConfigurationProperty.withDefault("pkce",
            "Send a PKCE S256 code challenge (RFC 7636). Switch off only for IdPs that reject it.", "true");
    public static final ConfigurationProperty AUTHORIZATION_PARAMETERS = ConfigurationProperty.optional("authorization-parameters.<name>",
            "Extra authorization request parameters, e.g. authorization-parameters.prompt=consent.");
    public static final ConfigurationProperty TOKEN_PARAMETERS = ConfigurationProperty.optional("token-parameters.<name>",
            "Extra token request parameters, e.g. token-parameters.resource=https://api.example.com.");

    private static final List<ConfigurationProperty> PROPERTIES = List.of(
            ConfigurationProperty.required("authorization-uri", "The IdP's authorization endpoint URL."),
            ConfigurationProperty.required("token-uri", "The IdP's token endpoint URL."),
            ConfigurationProperty.optional("revocation-uri", "RFC 7009 revocation endpoint URL; without it revocation reports NOT_SUPPORTED."),
            ConfigurationProperty.optional("userinfo-uri", "URL answering GET with a bearer token with a JSON description of the account."),
            ConfigurationProperty.withDefault("userinfo-subject-claim", "Member of the userinfo JSON with the stable account id.", "sub"),
            ConfigurationProperty.withDefault("userinfo-name-claims", "Members of the userinfo JSON tried in order for the display name.", "name,preferred_username,login,email"),
            ConfigurationProperty.optional("issuer", "The IdP's issuer identifier; enables the RFC 9207 iss check on callbacks."),
            ConfigurationProperty.withDefault("scope-separator", "Separator between scopes on the wire: space (RFC 6749) or comma.", "space"),
            CLIENT_AUTHENTICATION, PKCE, AUTHORIZATION_PARAMETERS, TOKEN_PARAMETERS);

    private final Clock clock;

    public OAuth2ConnectorFactory() {
        this(Clock.systemUTC());
    }

    public OAuth2ConnectorFactory(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "Generic OAuth 2.0";
    }

    @Override
    public List<ConfigurationProperty> configurationProperties() {
        return PROPERTIES;
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        String fixUri = "set it to the endpoint URL from the IdP's documentation";
        OAuth2ConnectorConfiguration.Builder builder = OAuth2ConnectorConfiguration.builder(settings.connectorId(), settings.clientId(),
                        settings.clientSecret(), settings.requiredUri("authorization-uri", fixUri), settings.requiredUri("token-uri", fixUri))
                .clientAuthentication(clientAuthentication(settings))
                .userInfoClaims(settings.property("userinfo-subject-claim").orElse("sub"),
                        List.of(settings.property("userinfo-name-claims").orElse("name,preferred_username,login,email").split("\\s*,\\s*")))
                .defaultScope(settings.scopesOr(""))
                .scopeSeparator(scopeSeparator(settings))
                .pkce(settings.flag("pkce", true))
                .authorizationParameters(settings.parameters("authorization-parameters"))
                .tokenParameters(settings.parameters("token-parameters"));
        settings.uri("revocation-uri").ifPresent(uri -> builder.revocationEndpoint(uri, true));
        settings.uri("userinfo-uri").ifPresent(builder::userInfoEndpoint);
        settings.property("issuer").ifPresent(issuer -> builder.issuer(new Issuer(issuer), false));
        return new OAuth2Connector(builder.build(), new UpstreamHttpClient(settings.connectorId(), settings.timeouts(), clock), null);
    }

    /** {@code client-authentication}: {@code basic} or {@code post}. */
    public static ClientAuthenticationMethod clientAuthentication(ConnectorSettings settings) {
        String value = settings.property("client-authentication").orElse("basic").toLowerCase(Locale.ROOT);
        switch (value) {
            case "basic":
            case "client_secret_basic":
                return ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
            case "post":
            case "client_secret_post":
                return ClientAuthenticationMethod.CLIENT_SECRET_POST;
            default:
                throw settings.invalid("client-authentication", "is '" + value + "'", "set it to basic or post");
        }
    }

    private static String scopeSeparator(ConnectorSettings settings) {
        String value = settings.property("scope-separator").orElse("space").toLowerCase(Locale.ROOT);
        switch (value) {
            case "space":
                return " ";
            case "comma":
            case ",":
                return ",";
            default:
                throw settings.invalid("scope-separator", "is '" + value + "'", "set it to space or comma");
        }
    }
}
