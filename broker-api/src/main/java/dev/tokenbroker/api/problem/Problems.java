package dev.tokenbroker.api.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Builds and writes RFC 9457 problem responses, for controllers and for servlet filters alike. */
public final class Problems {

    private Problems() {
    }

    public static ProblemDetail detail(ProblemType type, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
        problem.setType(type.uri());
        problem.setTitle(type.title());
        problem.setProperty("code", type.code());
        return problem;
    }

    public static ResponseEntity<ProblemDetail> response(ApiProblemException exception) {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(exception.type().status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header(HttpHeaders.CACHE_CONTROL, "no-store");
        if (exception.retryAfter() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, exception.retryAfter().toSeconds())));
        }
        return builder.body(detail(exception.type(), exception.getMessage()));
    }

    /** For filters that answer before Spring MVC sees the request (authentication, body limits). */
    public static void write(HttpServletResponse response, ObjectMapper json, ProblemType type, String detail)
            throws IOException {
        write(response, json, type, detail, type.status().value());
    }

    /** As {@link #write(HttpServletResponse, ObjectMapper, ProblemType, String)}, keeping a status set by someone else. */
    public static void write(HttpServletResponse response, ObjectMapper json, ProblemType type, String detail, int status)
            throws IOException {
        ProblemDetail problem = detail(type, detail);
        problem.setStatus(status);
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        json.writeValue(response.getOutputStream(), problem);
    }
}
