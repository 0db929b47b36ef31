package dev.tokenbroker.connectors.testkit;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An identity provider simulation for {@link ConnectorTestKit}: a real OIDC server in-process, or WireMock
 * stubs written from the provider's documentation. It must answer exactly like the provider: same status
 * codes, headers and body formats, including the provider's quirks.
 *
 * <p>The kit calls {@link #reset()} before every check; a check then links an account
 * ({@link #consent}), optionally arranges the next token endpoint answer, and calls the connector.
 */
public interface SimulatedIdp {

    /** Forget all state and arrangements from the previous check. */
    void reset();

    /** The redirect URI the connector's client is registered with. */
    default URI redirectUri() {
        return URI.create("https://broker.example/callback");
    }

    /** The client secret the connector under test is configured with; the kit checks it never leaks. */
    String clientSecret();

    /**
     * Plays the user's browser and the user: sends (or interprets) the authorization request, consents, and
     * returns the URI the IdP redirects back to, with {@code code}, {@code state} and, if the IdP sends it, {@code iss}.
     */
    URI consent(URI authorizationRequest);

    /** The account's subject the connector must report, when the simulation decides it. */
    Optional<String> expectedSubject();

    /** The issuer the connector is configured with, when it has one; enables the RFC 9207 mix-up check. */
    Optional<String> issuer();

    /** The next refresh rotates: the response carries a new refresh token (GitHub Apps always do). */
    void rotateRefreshTokenOnNextRefresh();

    /** The next refresh answers without {@code refresh_token} (Google always does; RFC 6749 §6 allows it). */
    void omitRefreshTokenOnNextRefresh();

    /**
     * The next refresh answers successfully, with a correctly signed ID token for <em>another</em> subject than the
     * linked account (a mixed-up or malicious IdP). The connector must refuse it.
     *
     * @return false when this IdP issues no ID tokens on refresh (GitHub, plain OAuth 2.0): the kit skips the check
     */
    default boolean issueIdTokenForAnotherSubjectOnNextRefresh() {
        return false;
    }

    /** The next token endpoint request fails as this IdP would fail for {@code failure}. */
    void failNextTokenRequest(SimulatedFailure failure);

    /** The refresh token value the IdP issued last, when the simulation can tell (then the kit compares). */
    Optional<String> lastIssuedRefreshToken();

    /** Form parameters of the last token endpoint request (to check the PKCE verifier and grant). */
    Map<String, String> lastTokenRequestParameters();

    /** False for IdPs without any revocation; the kit then expects {@code NOT_SUPPORTED}. */
    boolean supportsRevocation();

    /** Revocation requests received since {@link #reset()}. */
    List<RevocationCall> revocations();
}
