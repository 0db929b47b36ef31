package dev.tokenbroker.connectors.google;

import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorSettings;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** OIDC Core §3.1.3.7 beyond the kit: a forged, misaddressed, foreign or expired ID token links nothing. */
class GoogleIdTokenValidationTest {

    static final GoogleSimulation GOOGLE = new GoogleSimulation();

    private Connector connector;

    @BeforeEach
    void reset() {
        GOOGLE.reset();
        connector = new GoogleConnectorFactory().create(ConnectorSettings.of("google", "google", GoogleSimulation.CLIENT_ID,
                GOOGLE.clientSecret(), ConnectorTimeouts.DEFAULTS, GOOGLE.connectorSettings()));
    }

    @ParameterizedTest
    @EnumSource(GoogleSimulation.IdTokenDefect.class)
    void codeExchangeRejectsAnIdTokenThat(GoogleSimulation.IdTokenDefect defect) {
        AuthorizationStart start = connector.startAuthorization(GOOGLE.redirectUri());
        GOOGLE.defectInNextIdToken(defect);
        URI callback = GOOGLE.consent(start.authorizationUri());

        ConnectorException failure = catchThrowableOfType(() -> connector.exchange(callback, start.pending()), ConnectorException.class);

        assertThat(failure).as(defect.name()).isNotNull();
        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.INVALID_RESPONSE);
        assertThat(failure.getMessage()).contains("ID token failed validation");
    }
}
