package dev.tokenbroker.api.problem;

import java.net.URI;
import org.springframework.http.HttpStatus;

/**
 * The stable problem types of the broker's API (RFC 9457). Clients switch on {@link #uri()};
 * titles are for humans and may change.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457 Problem Details for HTTP APIs</a>
 */
public enum ProblemType {
    INVALID_REQUEST("invalid_request", HttpStatus.BAD_REQUEST, "The request is malformed"),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "A valid API access token is required"),
    INSUFFICIENT_SCOPE("insufficient_scope", HttpStatus.FORBIDDEN, "The access token lacks the scope for this operation"),
    CONNECTOR_NOT_ALLOWED("connector_not_allowed", HttpStatus.FORBIDDEN, "This client may not use this connector"),
    RETURN_URL_NOT_ALLOWED("return_url_not_allowed", HttpStatus.BAD_REQUEST, "returnTo is not registered for this client"),
    NOT_FOUND("not_found", HttpStatus.NOT_FOUND, "No such resource"),
    UNKNOWN_CONNECTOR("unknown_connector", HttpStatus.NOT_FOUND, "No connector with this id is configured"),
    NOT_LINKED("not_linked", HttpStatus.NOT_FOUND, "The user has not linked an account at this connector"),
    REAUTHORIZATION_REQUIRED("reauthorization_required", HttpStatus.CONFLICT,
            "The user must link the account again"),
    METHOD_NOT_ALLOWED("method_not_allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_ACCEPTABLE("not_acceptable", HttpStatus.NOT_ACCEPTABLE, "No acceptable representation"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported content type"),
    PAYLOAD_TOO_LARGE("payload_too_large", HttpStatus.PAYLOAD_TOO_LARGE, "The request body is too large"),
    TOO_MANY_CONNECT_SESSIONS("too_many_connect_sessions", HttpStatus.TOO_MANY_REQUESTS,
            "The client has too many open connect sessions; retry when one has finished or expired"),
    UPSTREAM_UNAVAILABLE("upstream_unavailable", HttpStatus.SERVICE_UNAVAILABLE,
            "The identity provider is unavailable; retry later"),
    /** The broker itself cannot serve now (its database is unreachable): every call fails, not one connector's. */
    SERVICE_UNAVAILABLE("service_unavailable", HttpStatus.SERVICE_UNAVAILABLE,
            "The broker is temporarily unavailable; retry later"),
    INTERNAL_ERROR("internal_error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    private final String code;
    private final HttpStatus status;
    private final String title;

    ProblemType(String code, HttpStatus status, String title) {
        this.code = code;
        this.status = status;
        this.title = title;
    }

    public String code() {
        return code;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create("urn:token-broker:problem:" + code);
    }

    /**
     * The type for an error status that no handler named (Spring MVC's own errors, the container's, the firewall's):
     * the 4xx we have a type for, {@code invalid_request} for any other 4xx, {@code internal_error} otherwise.
     */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 400 -> INVALID_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            // A 503 nobody named is the broker's own (the database, the container), not an identity provider's.
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 400 && status < 500 ? INVALID_REQUEST : INTERNAL_ERROR;
        };
    }
}
