package dev.tokenbroker.connectors.http;

import dev.tokenbroker.connectors.ConnectorErrorKind;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Maps OAuth {@code error} codes to {@link ConnectorErrorKind}. Standard codes are built in; a connector adds
 * its provider's own codes (GitHub's {@code bad_refresh_token}, ...) with {@link #with(String, ConnectorErrorKind)}.
 * Unknown codes are {@link ConnectorErrorKind#CONFIGURATION}: retrying will not help, and ending the grant on
 * a code we do not understand would make users re-link for nothing.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1">RFC 6749 §4.1.2.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.2">RFC 6749 §5.2</a>
 */
public final class OAuthErrorClassifier {

    private static final Map<String, ConnectorErrorKind> STANDARD = Map.ofEntries(
            Map.entry("invalid_grant", ConnectorErrorKind.PERMANENT_GRANT),
            Map.entry("access_denied", ConnectorErrorKind.PERMANENT_GRANT),
            Map.entry("consent_required", ConnectorErrorKind.PERMANENT_GRANT),
            Map.entry("login_required", ConnectorErrorKind.PERMANENT_GRANT),
            Map.entry("interaction_required", ConnectorErrorKind.PERMANENT_GRANT),
            Map.entry("invalid_client", ConnectorErrorKind.CONFIGURATION),
            Map.entry("unauthorized_client", ConnectorErrorKind.CONFIGURATION),
            Map.entry("redirect_uri_mismatch", ConnectorErrorKind.CONFIGURATION),
            Map.entry("invalid_redirect_uri", ConnectorErrorKind.CONFIGURATION),
            Map.entry("unsupported_grant_type", ConnectorErrorKind.CONFIGURATION),
            Map.entry("unsupported_response_type", ConnectorErrorKind.CONFIGURATION),
            Map.entry("invalid_scope", ConnectorErrorKind.CONFIGURATION),
            Map.entry("invalid_request", ConnectorErrorKind.CONFIGURATION),
            Map.entry("server_error", ConnectorErrorKind.TRANSIENT),
            Map.entry("temporarily_unavailable", ConnectorErrorKind.TRANSIENT),
            Map.entry("slow_down", ConnectorErrorKind.TRANSIENT));

    private final Map<String, ConnectorErrorKind> kinds;

    private OAuthErrorClassifier(Map<String, ConnectorErrorKind> kinds) {
        this.kinds = Map.copyOf(kinds);
    }

    public static OAuthErrorClassifier standard() {
        return new OAuthErrorClassifier(STANDARD);
    }

    public OAuthErrorClassifier with(String errorCode, ConnectorErrorKind kind) {
        Map<String, ConnectorErrorKind> extended = new HashMap<>(kinds);
        extended.put(Objects.requireNonNull(errorCode), Objects.requireNonNull(kind));
        return new OAuthErrorClassifier(extended);
    }

    public ConnectorErrorKind classify(String errorCode) {
        if (errorCode == null) {
            return ConnectorErrorKind.CONFIGURATION;
        }
        return kinds.getOrDefault(errorCode, ConnectorErrorKind.CONFIGURATION);
    }
}
