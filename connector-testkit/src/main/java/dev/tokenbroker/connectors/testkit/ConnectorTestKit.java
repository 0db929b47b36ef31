package dev.tokenbroker.connectors.testkit;

import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.RevocationOutcome;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The contract every connector must meet, as an abstract JUnit 5 suite. Extend it, return a started
 * {@link SimulatedIdp} and the connector under test configured against it with the given timeouts:
 *
 * <pre>{@code
 * class AcmeConnectorKitTest extends ConnectorTestKit {
 *     static final AcmeSimulation ACME = AcmeSimulation.start();
 *     protected SimulatedIdp idp() { return ACME; }
 *     protected Connector connector(ConnectorTimeouts timeouts) { return new AcmeConnectorFactory().create(...ACME urls..., timeouts); }
 * }
 * }</pre>
 *
 * <p>It checks the authorization request (state, PKCE S256, nonce, scope), the code exchange (state,
 * RFC 9207 {@code iss}, PKCE verifier, account), refresh with rotation and with omission of the refresh token,
 * refusal of a refreshed ID token for another subject than the linked account
 * ({@link Connector#refresh(RefreshToken, Scope, String)}; needs
 * {@link SimulatedIdp#issueIdTokenForAnotherSubjectOnNextRefresh()}),
 * revocation, the classification of every failure class, the read timeout, and that no token value or client
 * secret appears in exception messages or {@code toString()}. Every check is also a public method, so a
 * connector's own tests (and the kit's tests) can call it directly.
 */
public abstract class ConnectorTestKit {

    /** The read timeout the connector under test must be created with. */
    // Generous enough that a loaded CI machine answers every ordinary request in time.
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    /** How long a simulation's {@code SLOW_RESPONSE} waits before answering: well past the read timeout. */
    public static final Duration SLOW_RESPONSE_DELAY = Duration.ofSeconds(8);
    public static final ConnectorTimeouts KIT_TIMEOUTS = new ConnectorTimeouts(Duration.ofSeconds(2), READ_TIMEOUT);

    private static final Set<String> OBSERVED_SECRETS = ConcurrentHashMap.newKeySet();

    private Connector connector;

    /** The simulation, started; shared across the class's checks is fine, {@link SimulatedIdp#reset()} runs before each. */
    protected abstract SimulatedIdp idp();

    /** The connector under test, configured against {@link #idp()} with these timeouts. */
    protected abstract Connector connector(ConnectorTimeouts timeouts);

    /** Every token value and client secret any kit run has seen, for log scanning. */
    public static Set<String> observedSecrets() {
        return Set.copyOf(OBSERVED_SECRETS);
    }

    private static final Set<Class<?>> WARMED_UP = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void resetSimulation() {
        idp().reset();
        OBSERVED_SECRETS.add(idp().clientSecret());
        warmUpOnce();
        connector = connector(KIT_TIMEOUTS);
    }

    /**
     * One full link with generous timeouts before the first check of a kit class: a cold JVM (class loading, JIT,
     * the simulation's first answer) on a loaded machine can take longer than {@link #READ_TIMEOUT}, which would fail
     * whichever check happens to run first for a reason that is not the connector's.
     */
    private void warmUpOnce() {
        if (!WARMED_UP.add(getClass())) {
            return;
        }
        try {
            Connector patient = connector(new ConnectorTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)));
            AuthorizationStart start = patient.startAuthorization(idp().redirectUri());
            observe(patient.exchange(idp().consent(start.authorizationUri()), start.pending()));
        } catch (RuntimeException e) {
            // The checks themselves will say what is wrong.
        } finally {
            idp().reset();
        }
    }

    protected Connector connectorUnderTest() {
        return connector;
    }

    // ---- authorization request -------------------------------------------------------------------------

    @Test
    public void authorizationRequestCarriesStatePkceS256NonceAndScope() throws ParseException {
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri());
        AuthorizationRequest request = AuthorizationRequest.parse(start.authorizationUri());
        PendingAuthorization pending = start.pending();

        assertThat(request.getResponseType()).isEqualTo(ResponseType.CODE);
        assertThat(request.getClientID()).isNotNull();
        assertThat(request.getRedirectionURI()).isEqualTo(idp().redirectUri());
        assertThat(request.getState()).as("state").isEqualTo(pending.state());
        assertThat(pending.state().getValue().length()).as("state entropy").isGreaterThanOrEqualTo(22);
        assertThat(pending.codeVerifier()).as("PKCE code verifier").isPresent();
        assertThat(request.getCodeChallengeMethod()).isEqualTo(CodeChallengeMethod.S256);
        assertThat(request.getCodeChallenge())
                .isEqualTo(CodeChallenge.compute(CodeChallengeMethod.S256, pending.codeVerifier().get()));
        pending.nonce().ifPresent(nonce ->
                assertThat(request.getCustomParameter("nonce")).as("nonce").containsExactly(nonce.getValue()));
        assertThat(pending.requestedScope()).isNotNull();
        assertThat(pending.toString()).doesNotContain(pending.codeVerifier().get().getValue(), pending.state().getValue());

        PendingAuthorization second = connector.startAuthorization(idp().redirectUri()).pending();
        assertThat(second.state()).as("state is fresh per request").isNotEqualTo(pending.state());
        assertThat(second.codeVerifier().get().getValue()).isNotEqualTo(pending.codeVerifier().get().getValue());
    }

    @Test
    public void authorizationRequestAsksForTheGivenScope() throws ParseException {
        Scope scope = new Scope("scope-a", "scope-b");
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri(), scope);
        String scopeParameter = AuthorizationRequest.parse(start.authorizationUri()).getScope().toString();
        assertThat(scopeParameter).contains("scope-a").contains("scope-b");
    }

    // ---- code exchange ---------------------------------------------------------------------------------

    @Test
    public void codeExchangeReturnsTokensSendsTheVerifierAndIdentifiesTheAccount() {
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri());
        TokenResult tokens = connector.exchange(idp().consent(start.authorizationUri()), start.pending());
        observe(tokens);

        assertThat(tokens.accessToken().getValue()).isNotBlank();
        assertThat(idp().lastTokenRequestParameters())
                .containsEntry("grant_type", "authorization_code")
                .containsEntry("code_verifier", start.pending().codeVerifier().get().getValue())
                .containsEntry("redirect_uri", idp().redirectUri().toString());
        assertThat(tokens.refreshToken()).as("refresh token from the code exchange").isPresent();
        idp().lastIssuedRefreshToken().ifPresent(issued -> assertThat(tokens.refreshToken().get().getValue()).isEqualTo(issued));
        tokens.accessTokenExpiresAt().ifPresent(expiry -> assertThat(expiry).isAfter(Instant.now()));
        if (start.pending().nonce().isPresent()) {
            assertThat(tokens.idTokenClaims()).as("validated ID token claims").isPresent();
            assertThat(tokens.idTokenClaims().get().getNonce()).isEqualTo(start.pending().nonce().get());
        }
        assertNoSecretIn(tokens.toString());

        UpstreamAccount account = connector.identify(tokens);
        assertThat(account.subject()).isNotBlank();
        idp().expectedSubject().ifPresent(subject -> assertThat(account.subject()).isEqualTo(subject));
    }

    @Test
    public void codeExchangeRejectsAForeignState() {
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri());
        URI callback = idp().consent(start.authorizationUri());
        URI forged = URI.create(callback.toString().replace("state=" + urlEncoded(start.pending().state().getValue()), "state=forged"));
        assertThat(forged).isNotEqualTo(callback);

        ConnectorException failure = expectFailure(() -> connector.exchange(forged, start.pending()));
        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.INVALID_RESPONSE);
    }

    @Test
    public void codeExchangeRejectsAnotherIssuersResponse() {
        assumeThat(idp().issuer()).as("RFC 9207 needs a configured issuer").isPresent();
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri());
        URI callback = idp().consent(start.authorizationUri());
        String withoutIss = callback.toString().replaceAll("[&?]iss=[^&]*", "");
        URI mixedUp = URI.create(withoutIss + "&iss=" + urlEncoded("https://attacker.example"));

        ConnectorException failure = expectFailure(() -> connector.exchange(mixedUp, start.pending()));
        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.INVALID_RESPONSE);
    }

    @Test
    public void codeExchangeRejectsAnIdTokenForAnotherNonce() {
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri());
        assumeThat(start.pending().nonce()).as("OIDC connectors only").isPresent();
        URI callback = idp().consent(start.authorizationUri());
        // Same browser session, but the ID token answers another authorization request (replay).
        PendingAuthorization replayed = new PendingAuthorization(start.pending().state(), start.pending().codeVerifier(),
                connector.startAuthorization(idp().redirectUri()).pending().nonce(), start.pending().redirectUri(),
                start.pending().requestedScope());

        ConnectorException failure = expectFailure(() -> connector.exchange(callback, replayed));
        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.INVALID_RESPONSE);
    }

    @Test
    public void codeExchangeWithAMismatchedRedirectUriIsAConfigurationError() {
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri());
        URI callback = idp().consent(start.authorizationUri());
        idp().failNextTokenRequest(SimulatedFailure.of(SimulatedFailure.Reason.REDIRECT_URI_MISMATCH));

        ConnectorException failure = expectFailure(() -> connector.exchange(callback, start.pending()));
        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.CONFIGURATION);
    }

    // ---- refresh ---------------------------------------------------------------------------------------

    @Test
    public void refreshReturnsTheRotatedRefreshToken() {
        RefreshToken original = linkAccount().refreshToken().orElseThrow();
        idp().rotateRefreshTokenOnNextRefresh();

        TokenResult refreshed = connector.refresh(original);
        observe(refreshed);

        assertThat(idp().lastTokenRequestParameters())
                .containsEntry("grant_type", "refresh_token")
                .containsEntry("refresh_token", original.getValue());
        assertThat(refreshed.accessToken().getValue()).isNotBlank();
        assertThat(refreshed.issuedNewRefreshToken()).as("the IdP rotated the refresh token; it must not be dropped").isTrue();
        assertThat(refreshed.refreshToken().get().getValue()).isNotEqualTo(original.getValue());
        idp().lastIssuedRefreshToken().ifPresent(issued -> assertThat(refreshed.refreshToken().get().getValue()).isEqualTo(issued));
        assertNoSecretIn(refreshed.toString());
    }

    @Test
    public void refreshWithoutARefreshTokenInTheResponseSaysKeepTheOldOne() {
        RefreshToken original = linkAccount().refreshToken().orElseThrow();
        idp().omitRefreshTokenOnNextRefresh();

        TokenResult refreshed = connector.refresh(original);
        observe(refreshed);

        assertThat(refreshed.accessToken().getValue()).isNotBlank();
        assertThat(refreshed.issuedNewRefreshToken()).as("no refresh token was issued: the caller must keep the old one").isFalse();
        assertThat(refreshed.refreshToken()).isEmpty();
    }

    @Test
    public void refreshForTheLinkedAccountSucceeds() {
        TokenResult linked = linkAccount();
        String subject = connector.identify(linked).subject();
        idp().omitRefreshTokenOnNextRefresh();

        TokenResult refreshed = connector.refresh(linked.refreshToken().orElseThrow(), null, subject);
        observe(refreshed);

        assertThat(refreshed.accessToken().getValue()).isNotBlank();
        refreshed.idTokenClaims().ifPresent(claims -> assertThat(claims.getSubject().getValue()).isEqualTo(subject));
    }

    @Test
    public void refreshedIdTokenForAnotherSubjectIsRefused() {
        TokenResult linked = linkAccount();
        String subject = connector.identify(linked).subject();
        assumeThat(linked.idTokenClaims()).as("the connector validates ID tokens (OpenID Connect)").isPresent();
        assumeThat(idp().issueIdTokenForAnotherSubjectOnNextRefresh()).as("the IdP issues ID tokens on refresh").isTrue();

        ConnectorException failure = expectFailure(() -> connector.refresh(linked.refreshToken().orElseThrow(), null, subject));

        assertThat(failure.kind()).as("a refreshed ID token for another account: %s", failure.getMessage())
                .isEqualTo(ConnectorErrorKind.INVALID_RESPONSE);
        assertThat(failure.connectorId()).isEqualTo(connector.id());
    }

    // ---- revocation ------------------------------------------------------------------------------------

    @Test
    public void revocationRevokesTheGrantOrSaysItIsNotSupported() {
        TokenResult tokens = linkAccount();
        RevocationOutcome outcome = connector.revoke(tokens.accessToken(), tokens.refreshToken());

        if (!idp().supportsRevocation()) {
            assertThat(outcome).isEqualTo(RevocationOutcome.NOT_SUPPORTED);
            return;
        }
        assertThat(outcome).isEqualTo(RevocationOutcome.REVOKED);
        List<RevocationCall> calls = idp().revocations();
        assertThat(calls).hasSize(1);
        RevocationCall call = calls.get(0);
        assertThat(call.token()).isIn(tokens.accessToken().getValue(), tokens.refreshToken().get().getValue());
        call.tokenTypeHint().ifPresent(hint -> assertThat(hint).isEqualTo(
                call.token().equals(tokens.accessToken().getValue()) ? "access_token" : "refresh_token"));
    }

    // ---- error classification --------------------------------------------------------------------------

    @Test
    public void serverErrorIsTransient() {
        assertRefreshFailsWith(SimulatedFailure.of(SimulatedFailure.Reason.SERVER_ERROR), ConnectorErrorKind.TRANSIENT);
    }

    @Test
    public void rateLimitWithRetryAfterSecondsIsTransientWithRetryAt() {
        Instant before = Instant.now();
        ConnectorException failure = assertRefreshFailsWith(SimulatedFailure.rateLimitedFor(Duration.ofSeconds(120)), ConnectorErrorKind.TRANSIENT);
        assertThat(failure.retryAt()).as("retry-at from the delay").isPresent();
        assertThat(failure.retryAt().get()).isBetween(before.plusSeconds(119), Instant.now().plusSeconds(121));
    }

    @Test
    public void rateLimitUntilAnInstantIsTransientWithThatRetryAt() {
        Instant until = Instant.now().plusSeconds(600).truncatedTo(ChronoUnit.SECONDS);
        ConnectorException failure = assertRefreshFailsWith(SimulatedFailure.rateLimitedUntil(until), ConnectorErrorKind.TRANSIENT);
        assertThat(failure.retryAt()).contains(until);
    }

    @Test
    public void revokedOrExpiredRefreshTokenEndsTheGrant() {
        assertRefreshFailsWith(SimulatedFailure.of(SimulatedFailure.Reason.GRANT_REVOKED), ConnectorErrorKind.PERMANENT_GRANT);
    }

    @Test
    public void rejectedClientCredentialsAreAConfigurationError() {
        assertRefreshFailsWith(SimulatedFailure.of(SimulatedFailure.Reason.CLIENT_REJECTED), ConnectorErrorKind.CONFIGURATION);
    }

    @Test
    public void unauthorizedClientIsAConfigurationError() {
        assertRefreshFailsWith(SimulatedFailure.of(SimulatedFailure.Reason.CLIENT_NOT_AUTHORIZED), ConnectorErrorKind.CONFIGURATION);
    }

    @Test
    public void slowResponseTimesOutWithinTheReadTimeoutAsTransient() {
        RefreshToken refreshToken = linkAccount().refreshToken().orElseThrow();
        idp().failNextTokenRequest(SimulatedFailure.of(SimulatedFailure.Reason.SLOW_RESPONSE));
        long started = System.nanoTime();

        ConnectorException failure = expectFailure(() -> connector.refresh(refreshToken));

        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.TRANSIENT);
        assertThat(waited).as("bounded by the read timeout, not by the IdP's answer").isLessThan(SLOW_RESPONSE_DELAY);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** Links an account through the whole authorization code flow. */
    protected TokenResult linkAccount() {
        AuthorizationStart start = connector.startAuthorization(idp().redirectUri());
        TokenResult tokens = connector.exchange(idp().consent(start.authorizationUri()), start.pending());
        observe(tokens);
        assertThat(tokens.refreshToken()).as("the simulation must issue a refresh token on code exchange").isPresent();
        return tokens;
    }

    protected ConnectorException assertRefreshFailsWith(SimulatedFailure simulated, ConnectorErrorKind expected) {
        RefreshToken refreshToken = linkAccount().refreshToken().orElseThrow();
        idp().failNextTokenRequest(simulated);
        ConnectorException failure = expectFailure(() -> connector.refresh(refreshToken));
        assertThat(failure.kind()).as("classification of %s: %s", simulated.reason(), failure.getMessage()).isEqualTo(expected);
        assertThat(failure.connectorId()).isEqualTo(connector.id());
        return failure;
    }

    /** Runs {@code call}, expects a {@link ConnectorException}, and checks its messages leak nothing. */
    protected ConnectorException expectFailure(Runnable call) {
        ConnectorException failure = catchThrowableOfType(call::run, ConnectorException.class);
        assertThat(failure).as("a ConnectorException").isNotNull();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertNoSecretIn(String.valueOf(t.getMessage()));
        }
        return failure;
    }

    protected void assertNoSecretIn(String text) {
        for (String secret : OBSERVED_SECRETS) {
            assertThat(text).as("must not contain a token value or client secret").doesNotContain(secret);
        }
    }

    protected static void observe(TokenResult tokens) {
        OBSERVED_SECRETS.add(tokens.accessToken().getValue());
        tokens.refreshToken().ifPresent(token -> OBSERVED_SECRETS.add(token.getValue()));
        tokens.idToken().ifPresent(token -> OBSERVED_SECRETS.add(token.getParsedString()));
    }

    private static String urlEncoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** For subclasses that want the kit's notion of a secret-free string in their own checks. */
    protected static Optional<String> findSecretIn(String text) {
        return OBSERVED_SECRETS.stream().filter(text::contains).findFirst();
    }
}
