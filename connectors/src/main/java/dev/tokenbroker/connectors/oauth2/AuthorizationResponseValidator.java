package dev.tokenbroker.connectors.oauth2;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.id.Issuer;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.http.OAuthErrorClassifier;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks the redirect back from the IdP before any code is used: {@code state} first (RFC 6749 §10.12), then
 * the RFC 9207 {@code iss} parameter (against mix-up attacks, also on error responses), then error or code.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9207#section-2.4">RFC 9207 §2.4</a>
 */
public final class AuthorizationResponseValidator {

    private final String connectorId;
    private final Optional<Issuer> issuer;
    private final boolean issuerParameterRequired;
    private final OAuthErrorClassifier classifier;

    public AuthorizationResponseValidator(String connectorId, Optional<Issuer> issuer, boolean issuerParameterRequired,
                                          OAuthErrorClassifier classifier) {
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.issuerParameterRequired = issuerParameterRequired;
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /** @return the authorization code of a valid success response */
    public AuthorizationCode validate(URI callbackUri, PendingAuthorization pending) {
        AuthorizationResponse response;
        try {
            response = AuthorizationResponse.parse(callbackUri);
        } catch (ParseException e) {
            throw invalid("the callback carries neither a code nor an error");
        }
        if (response.getState() == null || !pending.state().equals(response.getState())) {
            throw invalid("the state does not match the one sent (possible CSRF)");
        }
        Issuer sent = response.getIssuer();
        if (sent != null && issuer.isPresent() && !issuer.get().equals(sent)) {
            throw invalid("the iss parameter '" + sent + "' is not the configured issuer (possible mix-up attack)");
        }
        if (sent == null && issuerParameterRequired) {
            throw invalid("the iss parameter is missing although the IdP advertises it");
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = ((AuthorizationErrorResponse) response).getErrorObject();
            throw ConnectorException.builder(classifier.classify(error.getCode()), connectorId, ConnectorOperation.AUTHORIZATION_RESPONSE)
                    .errorCode(error.getCode()).detail("the IdP answered the authorization request with an error").build();
        }
        AuthorizationCode code = response.toSuccessResponse().getAuthorizationCode();
        if (code == null) {
            throw invalid("the callback carries no code");
        }
        return code;
    }

    private ConnectorException invalid(String detail) {
        return ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, connectorId, ConnectorOperation.AUTHORIZATION_RESPONSE)
                .detail(detail).build();
    }
}
