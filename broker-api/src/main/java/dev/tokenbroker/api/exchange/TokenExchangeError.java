package dev.tokenbroker.api.exchange;

import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.OAuth2Error;

/**
 * An RFC 6749 section 5.2 error with members beyond {@code error}, {@code error_description} and
 * {@code error_uri} (RFC 6749 allows extensions), and a status other than 400 where one fits.
 *
 * @param additional e.g. {@code connect_session_required: true} for a user who must link first
 */
final class TokenExchangeError extends OAuth2Error {

    static final String TEMPORARILY_UNAVAILABLE = "temporarily_unavailable";

    private final transient Map<String, Object> additional;
    private final HttpStatus status;
    private final Duration retryAfter;

    TokenExchangeError(String errorCode, String description, Map<String, Object> additional, HttpStatus status,
                       Duration retryAfter) {
        super(errorCode, description, null);
        this.additional = Map.copyOf(additional);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** The user has no usable link at the connector: the app must send them through a connect session. */
    static TokenExchangeError connectSessionRequired(String description, String reason) {
        return new TokenExchangeError("invalid_target", description,
                Map.of("connect_session_required", true, "connect_session_reason", reason), HttpStatus.BAD_REQUEST, null);
    }

    static TokenExchangeError temporarilyUnavailable(String description, Duration retryAfter) {
        return new TokenExchangeError(TEMPORARILY_UNAVAILABLE, description, Map.of(), HttpStatus.SERVICE_UNAVAILABLE,
                retryAfter);
    }

    Map<String, Object> additional() {
        return additional;
    }

    HttpStatus status() {
        return status;
    }

    Duration retryAfter() {
        return retryAfter;
    }
}
