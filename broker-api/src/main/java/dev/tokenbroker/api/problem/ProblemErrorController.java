package dev.tokenbroker.api.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Renders every error that reaches the container's error page ({@code /error}) as an RFC 9457 problem, in place of
 * Spring Boot's {@code BasicErrorController} (its own JSON shape, or the Whitelabel HTML page for browsers). Errors
 * land here when something answered with {@code sendError} and no body: Spring Security's firewall (through the
 * default rejection handler), a filter that threw, the container. The status is kept; the detail never echoes the
 * request or the exception (either could carry a token). A database outage that escaped a filter is a 503 with
 * {@code Retry-After}, as on the API's own paths.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457 Problem Details for HTTP APIs</a>
 */
@RestController
public final class ProblemErrorController implements ErrorController {

    private final ObjectMapper json;

    public ProblemErrorController(ObjectMapper json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    @RequestMapping("${server.error.path:${error.path:/error}}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (!(status instanceof Integer code)) {
            // Asked for directly: there is no such resource.
            Problems.write(response, json, ProblemType.NOT_FOUND, ProblemType.NOT_FOUND.title());
            return;
        }
        if (exception instanceof Throwable failure && ApiExceptionHandler.databaseUnavailable(failure)) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(ApiExceptionHandler.DATABASE_RETRY_AFTER.toSeconds()));
            Problems.write(response, json, ProblemType.SERVICE_UNAVAILABLE, "The database is unavailable; retry later");
            return;
        }
        ProblemType type = ProblemType.forStatus(code);
        Problems.write(response, json, type, type.title(), code);
    }
}
