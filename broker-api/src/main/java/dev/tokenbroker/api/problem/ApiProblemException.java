package dev.tokenbroker.api.problem;

import java.time.Duration;
import java.util.Objects;

/** Ends a request with a problem response of a known {@link ProblemType}. */
public final class ApiProblemException extends RuntimeException {

    private final ProblemType type;
    private final Duration retryAfter;

    public ApiProblemException(ProblemType type, String detail) {
        this(type, detail, null);
    }

    public ApiProblemException(ProblemType type, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.type = Objects.requireNonNull(type, "type");
        this.retryAfter = retryAfter;
    }

    public ProblemType type() {
        return type;
    }

    /** For 503 and 429 answers: when to try again, sent as {@code Retry-After} in seconds. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
