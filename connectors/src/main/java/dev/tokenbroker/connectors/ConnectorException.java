package dev.tokenbroker.connectors;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The one failure type of every connector operation, classified by {@link ConnectorErrorKind}.
 *
 * <p><b>Security:</b> messages are built only from the connector id, the operation, the HTTP status,
 * the OAuth {@code error} code and text written by us. They never contain token values, authorization
 * codes, code verifiers or client secrets, and causes that might echo a response body are not attached.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.2">RFC 6749 §5.2 (error response)</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3">RFC 9110 §10.2.3 (Retry-After)</a>
 */
public final class ConnectorException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ConnectorErrorKind kind;
    private final String connectorId;
    private final ConnectorOperation operation;
    private final String errorCode;
    private final Integer httpStatus;
    private final Instant retryAt;

    private ConnectorException(Builder builder) {
        super(builder.message(), builder.cause);
        this.kind = builder.kind;
        this.connectorId = builder.connectorId;
        this.operation = builder.operation;
        this.errorCode = builder.errorCode;
        this.httpStatus = builder.httpStatus;
        this.retryAt = builder.retryAt;
    }

    public static Builder builder(ConnectorErrorKind kind, String connectorId, ConnectorOperation operation) {
        return new Builder(kind, connectorId, operation);
    }

    public ConnectorErrorKind kind() {
        return kind;
    }

    public String connectorId() {
        return connectorId;
    }

    public ConnectorOperation operation() {
        return operation;
    }

    /** The OAuth {@code error} code (or the provider's own code), when the IdP sent one. */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    public Optional<Integer> httpStatus() {
        return Optional.ofNullable(httpStatus);
    }

    /** For {@link ConnectorErrorKind#TRANSIENT}: the earliest instant the IdP asked us to retry at. */
    public Optional<Instant> retryAt() {
        return Optional.ofNullable(retryAt);
    }

    /** Builds a {@link ConnectorException}; {@link #detail(String)} must never be given secret material. */
    public static final class Builder {
        private final ConnectorErrorKind kind;
        private final String connectorId;
        private final ConnectorOperation operation;
        private String detail;
        private String errorCode;
        private Integer httpStatus;
        private Instant retryAt;
        private Throwable cause;

        private Builder(ConnectorErrorKind kind, String connectorId, ConnectorOperation operation) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.connectorId = Objects.requireNonNull(connectorId, "connectorId");
            this.operation = Objects.requireNonNull(operation, "operation");
        }

        public Builder detail(String detail) {
            this.detail = detail;
            return this;
        }

        public Builder errorCode(String errorCode) {
            this.errorCode = errorCode;
            return this;
        }

        public Builder httpStatus(int httpStatus) {
            this.httpStatus = httpStatus;
            return this;
        }

        public Builder retryAt(Instant retryAt) {
            this.retryAt = retryAt;
            return this;
        }

        /** Only for causes whose message cannot contain a response body, e.g. socket exceptions. */
        public Builder cause(Throwable cause) {
            this.cause = cause;
            return this;
        }

        public ConnectorException build() {
            return new ConnectorException(this);
        }

        private String message() {
            StringBuilder message = new StringBuilder()
                    .append("connector '").append(connectorId).append("' ")
                    .append(operation.name().toLowerCase().replace('_', ' '))
                    .append(" failed (").append(kind).append(')');
            if (httpStatus != null) {
                message.append(", HTTP ").append(httpStatus);
            }
            if (errorCode != null) {
                message.append(", error ").append(errorCode);
            }
            if (detail != null) {
                message.append(": ").append(detail);
            }
            if (retryAt != null) {
                message.append(" (retry at ").append(retryAt).append(')');
            }
            return message.toString();
        }
    }
}
