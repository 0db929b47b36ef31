package dev.tokenbroker.connectors.oauth2;

import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.http.UpstreamHttpClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Authorization requests and callback validation: no network involved. */
class OAuth2ConnectorAuthorizationRequestTest {

    private static final URI REDIRECT = URI.create("https://broker.example/callback");

    private OAuth2ConnectorConfiguration.Builder configuration() {
        return OAuth2ConnectorConfiguration.builder("legacy", new ClientID("client"), new Secret("very-secret-value"),
                URI.create("https://idp.example/authorize"), URI.create("https://idp.example/token"));
    }

    private OAuth2Connector connector(OAuth2ConnectorConfiguration configuration) {
        return new OAuth2Connector(configuration, new UpstreamHttpClient("legacy", ConnectorTimeouts.DEFAULTS, Clock.systemUTC()), null);
    }

    @Test
    void declaredParametersAndCommaSeparatedScopesGoIntoTheRequest() throws ParseException {
        OAuth2Connector connector = connector(configuration().scopeSeparator(",")
                .authorizationParameters(Map.of("audience", "api", "prompt", "consent")).build());

        AuthorizationStart start = connector.startAuthorization(REDIRECT, new Scope("read", "write"));
        AuthorizationRequest request = AuthorizationRequest.parse(start.authorizationUri());

        assertThat(start.authorizationUri().getRawQuery()).contains("scope=read%2Cwrite");
        assertThat(request.getCustomParameter("audience")).containsExactly("api");
        assertThat(start.authorizationUri().getRawQuery()).contains("prompt=consent");
        assertThat(start.pending().nonce()).as("plain OAuth 2.0 has no nonce").isEmpty();
        assertThat(start.pending().requestedScope().toStringList()).containsExactly("read", "write");
    }

    @Test
    void pkceCanBeSwitchedOffForIdpsThatRejectIt() throws ParseException {
        AuthorizationStart start = connector(configuration().pkce(false).build()).startAuthorization(REDIRECT);

        assertThat(AuthorizationRequest.parse(start.authorizationUri()).getCodeChallenge()).isNull();
        assertThat(start.pending().codeVerifier()).isEmpty();
    }

    @Test
    void callbackWithTheUsersRefusalEndsTheGrant() {
        OAuth2Connector connector = connector(configuration().build());
        PendingAuthorization pending = connector.startAuthorization(REDIRECT).pending();
        URI refused = URI.create(REDIRECT + "?error=access_denied&state=" + pending.state().getValue());

        ConnectorException failure = catchThrowableOfType(() -> connector.exchange(refused, pending), ConnectorException.class);

        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.PERMANENT_GRANT);
        assertThat(failure.errorCode()).contains("access_denied");
    }

    @Test
    void missingIssParameterIsRejectedWhenTheIdpPromisedIt() {
        OAuth2Connector connector = connector(configuration().issuer(new Issuer("https://idp.example"), true).build());
        PendingAuthorization pending = connector.startAuthorization(REDIRECT).pending();

        ConnectorException missing = catchThrowableOfType(() -> connector.exchange(
                URI.create(REDIRECT + "?code=abc&state=" + pending.state().getValue()), pending), ConnectorException.class);

        assertThat(missing.kind()).isEqualTo(ConnectorErrorKind.INVALID_RESPONSE);
        assertThat(missing.getMessage()).contains("iss parameter is missing");
    }

    @Test
    void secretsAndVerifiersAreRedactedFromToString() {
        OAuth2ConnectorConfiguration configuration = configuration().build();
        PendingAuthorization pending = connector(configuration).startAuthorization(REDIRECT).pending();

        assertThat(configuration.toString()).doesNotContain("very-secret-value");
        assertThat(pending.toString()).doesNotContain(pending.codeVerifier().orElseThrow().getValue())
                .doesNotContain(pending.state().getValue()).contains("<redacted>");
        assertThat(new PendingAuthorization(new State(), Optional.empty(), Optional.empty(), REDIRECT, new Scope()).toString())
                .contains("codeVerifier=none");
        assertThat(List.of(pending)).isNotEmpty();
    }
}
