package dev.tokenbroker.api.problem;

import jakarta.validation.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure of an API request into an RFC 9457 problem with one of the stable
 * {@link ProblemType}s. Spring MVC's own errors (bad JSON, wrong content type, unknown path, bad
 * path variable) keep their status and get our type; anything unexpected is a 500 without
 * details, logged with its stack trace for the operator.
 */
@RestControllerAdvice
public final class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiProblemException.class)
    ResponseEntity<ProblemDetail> problem(ApiProblemException exception) {
        return Problems.response(exception);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<ProblemDetail> constraintViolation(ConstraintViolationException exception) {
        return Problems.response(new ApiProblemException(ProblemType.INVALID_REQUEST, "Invalid request parameters"));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ProblemDetail> illegalArgument(IllegalArgumentException exception) {
        return Problems.response(new ApiProblemException(ProblemType.INVALID_REQUEST, "Invalid request"));
    }

    /** A multipart content type without a parsable body (e.g. no boundary): the client's fault, not a 500. */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException exception) {
        return Problems.response(new ApiProblemException(ProblemType.INVALID_REQUEST, "Malformed multipart request"));
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> accessDenied(AccessDeniedException exception) {
        return Problems.response(new ApiProblemException(ProblemType.INSUFFICIENT_SCOPE,
                "The access token lacks the scope for this operation"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception exception) {
        if (databaseUnavailable(exception)) {
            // The database is down or unreachable (possibly wrapped by Axon): a transient outage, not a bug.
            log.warn("Database unavailable while handling an API request: {}", exception.toString());
            return Problems.response(new ApiProblemException(ProblemType.SERVICE_UNAVAILABLE,
                    "The database is unavailable; retry later", DATABASE_RETRY_AFTER));
        }
        log.error("Unexpected error while handling an API request", exception);
        return Problems.response(new ApiProblemException(ProblemType.INTERNAL_ERROR, "Internal error"));
    }

    public static final java.time.Duration DATABASE_RETRY_AFTER = java.time.Duration.ofSeconds(5);

    /** True when the cause chain shows the database could not be reached or a transaction could not run. */
    public static boolean databaseUnavailable(Throwable exception) {
        int depth = 0;
        for (Throwable cause = exception; cause != null && depth < 20; cause = cause.getCause(), depth++) {
            if (cause instanceof org.springframework.dao.DataAccessResourceFailureException
                    || cause instanceof org.springframework.dao.TransientDataAccessException
                    || cause instanceof org.springframework.dao.RecoverableDataAccessException
                    || cause instanceof org.springframework.transaction.CannotCreateTransactionException
                    || cause instanceof org.springframework.transaction.TransactionSystemException
                    || cause instanceof java.sql.SQLTransientException
                    || cause instanceof java.sql.SQLRecoverableException
                    || cause instanceof java.net.ConnectException) {
                return true;
            }
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true; // connection exception / operator intervention (server shutting down)
            }
            if (cause instanceof org.springframework.dao.DataAccessException access
                    && access.getMostSpecificCause() != access && databaseUnavailable(access.getMostSpecificCause())) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return handleExceptionInternal(ex, null, headers, HttpStatusCode.valueOf(400), request);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        ProblemType type = typeFor(statusCode);
        ProblemDetail problem = Problems.detail(type, type.title());
        HttpHeaders responseHeaders = new HttpHeaders();
        if (headers != null) {
            responseHeaders.putAll(headers);
        }
        responseHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return ResponseEntity.status(type.status()).headers(responseHeaders).body(problem);
    }

    private static ProblemType typeFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ProblemType.SERVICE_UNAVAILABLE;
            default -> status.is4xxClientError() ? ProblemType.INVALID_REQUEST : ProblemType.INTERNAL_ERROR;
        };
    }
}
