package dev.tokenbroker.api.exchange;

import com.nimbusds.jose.JWSAlgorithm;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.token-exchange.*}: the identity providers whose end-user tokens the broker accepts as
 * RFC 8693 subject tokens. Nothing is trusted unless configured here (the demo mode adds its own).
 *
 * @param clockSkew how far {@code exp}/{@code nbf} may be off (default 60 s, at most 5 min)
 * @param issuers   trusted issuers by an id of your choice ({@code broker.token-exchange.issuers.<id>.*})
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.1">RFC 8693 section 2.1</a>
 */
@ConfigurationProperties("broker.token-exchange")
public record TokenExchangeProperties(@DefaultValue("60s") Duration clockSkew, @DefaultValue Map<String, Issuer> issuers) {

    static final String PREFIX = "broker.token-exchange";

    /** Asymmetric algorithms only: a JWKS holds public keys; {@code none} and HMAC are never accepted. */
    static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA");

    public TokenExchangeProperties {
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(PREFIX + ".clock-skew=" + clockSkew
                    + " must be between 0s and 5m: a larger skew keeps expired user tokens usable");
        }
        issuers = Map.copyOf(issuers);
    }

    /**
     * One trusted issuer of end-user tokens.
     *
     * @param issuer        the exact {@code iss} of its tokens (https; http only on the loopback host)
     * @param jwksUri       its JWK set; when unset, found through OpenID Connect discovery at {@code issuer}
     * @param audience      the {@code aud} its tokens carry for the broker (required: without an audience
     *                      check, any token of that issuer, meant for any service, would do)
     * @param userIdClaim   the claim holding the broker's user id (default {@code sub})
     * @param userIdPrefix  put before the claim's value, to keep the user ids of several issuers apart
     *                      (e.g. {@code corp:}); the result must be a valid broker user id
     * @param algorithms    accepted JWS algorithms (default: RS/PS/ES 256-512 and EdDSA; never none or HS*)
     * @param introspection RFC 7662 introspection for opaque access tokens (optional)
     */
    public record Issuer(URI issuer, URI jwksUri, String audience, @DefaultValue("sub") String userIdClaim,
                         String userIdPrefix, List<String> algorithms, Introspection introspection) {

        public Issuer {
            algorithms = algorithms == null || algorithms.isEmpty() ? DEFAULT_ALGORITHMS : List.copyOf(algorithms);
            userIdPrefix = userIdPrefix == null ? "" : userIdPrefix;
        }
    }

    /**
     * @param endpoint     the issuer's RFC 7662 introspection endpoint
     * @param clientId     the broker's client id there
     * @param clientSecret its secret (client_secret_basic)
     */
    public record Introspection(URI endpoint, String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Introspection[endpoint=" + endpoint + ", clientId=" + clientId + ", clientSecret=<redacted>]";
        }
    }

    /** The configured issuers plus contributed ones (configuration wins), each checked; fails start-up naming the fix. */
    Map<String, Issuer> validatedIssuers(List<TrustedIssuerContribution> contributions) {
        Map<String, Issuer> all = new HashMap<>();
        contributions.forEach(contribution -> all.putAll(contribution.issuers()));
        all.putAll(issuers);
        Map<String, String> idByIssuer = new HashMap<>();
        all.forEach((id, issuer) -> {
            validate(id, issuer);
            String other = idByIssuer.putIfAbsent(issuer.issuer().toString(), id);
            if (other != null) {
                throw new IllegalArgumentException(PREFIX + ".issuers." + id + ".issuer and " + PREFIX + ".issuers."
                        + other + ".issuer are both " + issuer.issuer() + ": configure each issuer once");
            }
        });
        return Map.copyOf(all);
    }

    private static void validate(String id, Issuer issuer) {
        String prefix = PREFIX + ".issuers." + id;
        if (!id.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException(prefix + ": issuer ids use lower-case letters, digits and '-' (1-64)");
        }
        requireWebUrl(prefix + ".issuer", issuer.issuer(), true);
        requireWebUrl(prefix + ".jwks-uri", issuer.jwksUri(), false);
        if (issuer.audience() == null || issuer.audience().isBlank()) {
            throw new IllegalArgumentException(prefix + ".audience is missing: set it to the 'aud' value the issuer "
                    + "puts in user tokens meant for the broker (e.g. the broker's client id or API identifier there)");
        }
        if (issuer.userIdClaim() == null || issuer.userIdClaim().isBlank()) {
            throw new IllegalArgumentException(prefix + ".user-id-claim is blank: leave it unset for 'sub' or name "
                    + "the claim that holds the user id");
        }
        if (!issuer.userIdPrefix().matches("[A-Za-z0-9._:@|+-]{0,64}")) {
            throw new IllegalArgumentException(prefix + ".user-id-prefix='" + issuer.userIdPrefix()
                    + "' may use only letters, digits and . _ : @ | + - (at most 64)");
        }
        for (String algorithm : issuer.algorithms()) {
            if (!DEFAULT_ALGORITHMS.contains(JWSAlgorithm.parse(algorithm).getName())) {
                throw new IllegalArgumentException(prefix + ".algorithms contains '" + algorithm
                        + "': use asymmetric JWS algorithms only (" + String.join(", ", DEFAULT_ALGORITHMS) + ")");
            }
        }
        Introspection introspection = issuer.introspection();
        if (introspection != null && introspection.endpoint() != null) {
            requireWebUrl(prefix + ".introspection.endpoint", introspection.endpoint(), true);
            if (introspection.clientId() == null || introspection.clientId().isBlank()
                    || introspection.clientSecret() == null || introspection.clientSecret().isBlank()) {
                throw new IllegalArgumentException(prefix + ".introspection.client-id and .client-secret are required "
                        + "with .introspection.endpoint: the broker's credentials at the issuer's introspection endpoint");
            }
        }
    }

    private static void requireWebUrl(String setting, URI url, boolean required) {
        if (url == null) {
            if (required) {
                throw new IllegalArgumentException(setting + " is missing: set it to the issuer URL exactly as in "
                        + "its tokens' 'iss' claim (e.g. https://login.example.com/realms/app)");
            }
            return;
        }
        boolean loopback = "localhost".equals(url.getHost()) || "127.0.0.1".equals(url.getHost())
                || "[::1]".equals(url.getHost());
        if (!url.isAbsolute() || url.getHost() == null
                || !("https".equals(url.getScheme()) || ("http".equals(url.getScheme()) && loopback))) {
            throw new IllegalArgumentException(setting + "=" + url + " must be an absolute https URL "
                    + "(http only for localhost)");
        }
    }
}
