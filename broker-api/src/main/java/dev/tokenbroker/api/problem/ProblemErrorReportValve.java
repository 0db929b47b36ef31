package dev.tokenbroker.api.problem;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's last word on an error nobody rendered, as a problem instead of Tomcat's HTML page: requests the container
 * refuses before any application code runs — an encoded slash or NUL in the path, a malformed percent-encoding, an
 * oversized header — and anything else that ends with an error status and no body. The body is a constant per
 * status (no request data, no server version).
 *
 * <p>Not reachable from here: requests so malformed that Tomcat cannot parse the request line or a header at all
 * (e.g. a raw control character or a non-ASCII byte in the target). Tomcat answers those 400 with no body before it
 * has a request to hand to any valve.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

    public ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As Tomcat's own valve: only errors, only when nothing was written, only once.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        ProblemType type = ProblemType.forStatus(status);
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body(type, status));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response committed meanwhile: nothing left to tell anyone
        }
    }

    /** Built by hand (no mapper inside the container's valve); every part is a constant of {@link ProblemType}. */
    static String body(ProblemType type, int status) {
        return "{\"type\":\"" + type.uri() + "\",\"title\":\"" + type.title() + "\",\"status\":" + status
                + ",\"detail\":\"" + type.title() + "\",\"code\":\"" + type.code() + "\"}";
    }
}
