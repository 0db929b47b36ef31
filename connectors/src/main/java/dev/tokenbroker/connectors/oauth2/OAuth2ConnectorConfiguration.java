package dev.tokenbroker.connectors.oauth2;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import dev.tokenbroker.connectors.http.OAuthErrorClassifier;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an {@link OAuth2Connector} needs, fully declarative. Built by the oauth2, oidc, google and
 * github factories; {@link #toString()} redacts the client secret.
 *
 * @param clientAuthentication       {@code client_secret_basic} or {@code client_secret_post} (RFC 6749 §2.3.1)
 * @param revocationEndpoint         RFC 7009 endpoint; empty: the IdP has no revocation
 * @param revocationAuthenticatesClient false for IdPs (Google) whose revocation endpoint takes only the token
 *                                   and the client id
 * @param userInfoSubjectClaim       the userinfo member holding the stable account id ({@code sub} for OIDC)
 * @param userInfoNameClaims         userinfo members tried in order for the display name
 * @param issuer                     the IdP's issuer identifier, for RFC 9207 {@code iss} checks
 * @param issuerParameterRequired    the IdP promised {@code iss} in every authorization response
 *                                   ({@code authorization_response_iss_parameter_supported})
 * @param scopeSeparator             how scopes are joined in requests; RFC 6749 says a space, some IdPs want commas
 * @param errorClassifier            standard OAuth error codes plus the provider's own
 */
public record OAuth2ConnectorConfiguration(
        String connectorId,
        ClientID clientId,
        Secret clientSecret,
        ClientAuthenticationMethod clientAuthentication,
        URI authorizationEndpoint,
        URI tokenEndpoint,
        Optional<URI> revocationEndpoint,
        boolean revocationAuthenticatesClient,
        Optional<URI> userInfoEndpoint,
        String userInfoSubjectClaim,
        List<String> userInfoNameClaims,
        Optional<Issuer> issuer,
        boolean issuerParameterRequired,
        Scope defaultScope,
        String scopeSeparator,
        boolean pkce,
        Map<String, String> authorizationParameters,
        Map<String, String> tokenParameters,
        OAuthErrorClassifier errorClassifier) {

    public OAuth2ConnectorConfiguration {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        if (!ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(clientAuthentication)
                && !ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(clientAuthentication)) {
            throw new IllegalArgumentException("client authentication must be client_secret_basic or client_secret_post");
        }
        Objects.requireNonNull(authorizationEndpoint, "authorizationEndpoint");
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        Objects.requireNonNull(revocationEndpoint, "revocationEndpoint");
        Objects.requireNonNull(userInfoEndpoint, "userInfoEndpoint");
        Objects.requireNonNull(userInfoSubjectClaim, "userInfoSubjectClaim");
        userInfoNameClaims = List.copyOf(userInfoNameClaims);
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(defaultScope, "defaultScope");
        Objects.requireNonNull(scopeSeparator, "scopeSeparator");
        authorizationParameters = Map.copyOf(authorizationParameters);
        tokenParameters = Map.copyOf(tokenParameters);
        Objects.requireNonNull(errorClassifier, "errorClassifier");
    }

    public static Builder builder(String connectorId, ClientID clientId, Secret clientSecret, URI authorizationEndpoint, URI tokenEndpoint) {
        return new Builder(connectorId, clientId, clientSecret, authorizationEndpoint, tokenEndpoint);
    }

    @Override
    public String toString() {
        return "OAuth2ConnectorConfiguration[connectorId=" + connectorId + ", clientId=" + clientId
                + ", clientSecret=<redacted>, clientAuthentication=" + clientAuthentication
                + ", authorizationEndpoint=" + authorizationEndpoint + ", tokenEndpoint=" + tokenEndpoint
                + ", revocationEndpoint=" + revocationEndpoint + ", userInfoEndpoint=" + userInfoEndpoint
                + ", issuer=" + issuer + ", defaultScope=" + defaultScope + ", pkce=" + pkce + "]";
    }

    /** Builder with the defaults of a well-behaved RFC 6749 provider. */
    public static final class Builder {
        private final String connectorId;
        private final ClientID clientId;
        private final Secret clientSecret;
        private final URI authorizationEndpoint;
        private final URI tokenEndpoint;
        private ClientAuthenticationMethod clientAuthentication = ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
        private URI revocationEndpoint;
        private boolean revocationAuthenticatesClient = true;
        private URI userInfoEndpoint;
        private String userInfoSubjectClaim = "sub";
        private List<String> userInfoNameClaims = List.of("name", "preferred_username", "login", "email");
        private Issuer issuer;
        private boolean issuerParameterRequired;
        private Scope defaultScope = new Scope();
        private String scopeSeparator = " ";
        private boolean pkce = true;
        private Map<String, String> authorizationParameters = Map.of();
        private Map<String, String> tokenParameters = Map.of();
        private OAuthErrorClassifier errorClassifier = OAuthErrorClassifier.standard();

        private Builder(String connectorId, ClientID clientId, Secret clientSecret, URI authorizationEndpoint, URI tokenEndpoint) {
            this.connectorId = connectorId;
            this.clientId = clientId;
            this.clientSecret = clientSecret;
            this.authorizationEndpoint = authorizationEndpoint;
            this.tokenEndpoint = tokenEndpoint;
        }

        public Builder clientAuthentication(ClientAuthenticationMethod method) {
            this.clientAuthentication = method;
            return this;
        }

        public Builder revocationEndpoint(URI endpoint, boolean authenticatesClient) {
            this.revocationEndpoint = endpoint;
            this.revocationAuthenticatesClient = authenticatesClient;
            return this;
        }

        public Builder userInfoEndpoint(URI endpoint) {
            this.userInfoEndpoint = endpoint;
            return this;
        }

        public Builder userInfoClaims(String subjectClaim, List<String> nameClaims) {
            this.userInfoSubjectClaim = subjectClaim;
            this.userInfoNameClaims = nameClaims;
            return this;
        }

        public Builder issuer(Issuer issuer, boolean issuerParameterRequired) {
            this.issuer = issuer;
            this.issuerParameterRequired = issuerParameterRequired;
            return this;
        }

        public Builder defaultScope(Scope scope) {
            this.defaultScope = scope;
            return this;
        }

        public Builder scopeSeparator(String separator) {
            this.scopeSeparator = separator;
            return this;
        }

        public Builder pkce(boolean pkce) {
            this.pkce = pkce;
            return this;
        }

        public Builder authorizationParameters(Map<String, String> parameters) {
            this.authorizationParameters = parameters;
            return this;
        }

        public Builder tokenParameters(Map<String, String> parameters) {
            this.tokenParameters = parameters;
            return this;
        }

        public Builder errorClassifier(OAuthErrorClassifier classifier) {
            this.errorClassifier = classifier;
            return this;
        }

        public OAuth2ConnectorConfiguration build() {
            return new OAuth2ConnectorConfiguration(connectorId, clientId, clientSecret, clientAuthentication,
                    authorizationEndpoint, tokenEndpoint, Optional.ofNullable(revocationEndpoint), revocationAuthenticatesClient,
                    Optional.ofNullable(userInfoEndpoint), userInfoSubjectClaim, userInfoNameClaims, Optional.ofNullable(issuer),
                    issuerParameterRequired, defaultScope, scopeSeparator, pkce, authorizationParameters, tokenParameters,
                    errorClassifier);
        }
    }
}
