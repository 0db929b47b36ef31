package dev.tokenbroker.connectors.oauth2;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.http.OAuthErrorClassifier;
import net.minidev.json.JSONObject;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads token endpoint responses (RFC 6749 §5.1 / §5.2) into {@link TokenResult}s or classified
 * {@link ConnectorException}s.
 *
 * <p>Quirk handled for every IdP: an {@code error} member in an HTTP 200 body is an error (GitHub answers
 * token errors with 200). Nimbus parse messages are never passed on: they can quote the body.
 */
public final class TokenResponseReader {

    private static final int MAX_DESCRIPTION = 200;

    private final String connectorId;
    private final OAuthErrorClassifier classifier;
    private final Clock clock;

    public TokenResponseReader(String connectorId, OAuthErrorClassifier classifier, Clock clock) {
        this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param scopeWhenOmitted the granted scope to assume when the response has none; empty on refresh
     *                         ("unchanged")
     */
    public TokenResult read(HTTPResponse response, ConnectorOperation operation, Optional<Scope> scopeWhenOmitted) {
        JSONObject json = jsonBody(response, operation);
        if (json.containsKey("error") || !response.indicatesSuccess()) {
            throw error(response.getStatusCode(), json, operation);
        }
        Instant now = clock.instant();
        Tokens tokens;
        try {
            tokens = AccessTokenResponse.parse(json).getTokens();
        } catch (ParseException e) {
            throw invalid(operation, response.getStatusCode(), "the token response has no valid access_token and token_type");
        }
        AccessToken accessToken = tokens.getAccessToken();
        Optional<JWT> idToken = Optional.empty();
        Object idTokenValue = json.get("id_token");
        if (idTokenValue != null) {
            try {
                idToken = Optional.of(JWTParser.parse(idTokenValue.toString()));
            } catch (java.text.ParseException e) {
                throw invalid(operation, response.getStatusCode(), "the id_token is not a JWT");
            }
        }
        Optional<Instant> accessExpiry = accessToken.getLifetime() > 0
                ? Optional.of(now.plusSeconds(accessToken.getLifetime())) : Optional.empty();
        // GitHub: refresh_token_expires_in; Keycloak: refresh_expires_in. Neither is in RFC 6749.
        Optional<Instant> refreshExpiry = seconds(json, "refresh_token_expires_in")
                .or(() -> seconds(json, "refresh_expires_in"))
                .filter(s -> s > 0)
                .map(now::plusSeconds);
        Optional<Scope> granted = Optional.ofNullable(accessToken.getScope()).filter(s -> !s.isEmpty())
                .map(TokenResponseReader::splitCommas).or(() -> scopeWhenOmitted);
        return new TokenResult(accessToken, Optional.ofNullable(tokens.getRefreshToken()), idToken, Optional.empty(),
                accessExpiry, refreshExpiry, granted);
    }

    /** Classifies an error body from any endpoint (token, revocation). */
    public ConnectorException error(int status, JSONObject json, ConnectorOperation operation) {
        String code = stringMember(json, "error");
        ConnectorErrorKind kind;
        if (code != null) {
            kind = classifier.classify(code);
        } else {
            kind = ConnectorErrorKind.CONFIGURATION;
        }
        ConnectorException.Builder builder = ConnectorException.builder(kind, connectorId, operation).httpStatus(status);
        if (code != null) {
            builder.errorCode(ErrorObject.parse(json).getCode());
        }
        String description = stringMember(json, "error_description");
        if (description != null) {
            builder.detail(printable(description));
        }
        return builder.build();
    }

    public JSONObject jsonBody(HTTPResponse response, ConnectorOperation operation) {
        try {
            return response.getBodyAsJSONObject();
        } catch (ParseException e) {
            ConnectorErrorKind kind = response.getStatusCode() == 401 || response.getStatusCode() == 403
                    ? ConnectorErrorKind.CONFIGURATION : ConnectorErrorKind.INVALID_RESPONSE;
            throw ConnectorException.builder(kind, connectorId, operation).httpStatus(response.getStatusCode())
                    .detail("the response body is not a JSON object").build();
        }
    }

    private ConnectorException invalid(ConnectorOperation operation, int status, String detail) {
        return ConnectorException.builder(ConnectorErrorKind.INVALID_RESPONSE, connectorId, operation)
                .httpStatus(status).detail(detail).build();
    }

    /** GitHub (and others) answer "repo,gist": RFC 6749 wants spaces, but no real scope name has a comma. */
    private static Scope splitCommas(Scope scope) {
        Scope split = new Scope();
        for (String token : scope.toStringList()) {
            for (String part : token.split(",")) {
                if (!part.isBlank()) {
                    split.add(part.trim());
                }
            }
        }
        return split;
    }

    private static Optional<Long> seconds(JSONObject json, String member) {
        Object value = json.get(member);
        if (value instanceof Number) {
            return Optional.of(((Number) value).longValue());
        }
        if (value instanceof String) {
            try {
                return Optional.of(Long.parseLong((String) value));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String stringMember(JSONObject json, String member) {
        Object value = json.get(member);
        return value instanceof String && !((String) value).isBlank() ? (String) value : null;
    }

    private static String printable(String text) {
        String cleaned = text.replaceAll("[\\p{Cntrl}]", " ");
        return cleaned.length() > MAX_DESCRIPTION ? cleaned.substring(0, MAX_DESCRIPTION) + "..." : cleaned;
    }
}
