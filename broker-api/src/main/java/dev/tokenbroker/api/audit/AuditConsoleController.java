package dev.tokenbroker.api.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * The audit console: three static files (page, script, style). They hold no data and need no
 * credential; the script calls the audit API with the {@code audit:read} bearer token the user pastes.
 * The CSP allows only this origin's script and style (no inline code), so an event's text can never run.
 */
@Controller
final class AuditConsoleController {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private static final Map<String, MediaType> FILES = Map.of(
            "console.js", MediaType.parseMediaType("text/javascript;charset=UTF-8"),
            "console.css", MediaType.parseMediaType("text/css;charset=UTF-8"));

    private final byte[] page = read("index.html");
    private final Map<String, byte[]> files = Map.of("console.js", read("console.js"), "console.css", read("console.css"));

    @GetMapping({"/audit", "/audit/"})
    ResponseEntity<byte[]> page() {
        return respond(MediaType.parseMediaType("text/html;charset=UTF-8"), page);
    }

    @GetMapping("/audit/{file:console\\.(?:js|css)}")
    ResponseEntity<byte[]> file(@PathVariable String file) {
        return respond(FILES.get(file), files.get(file));
    }

    private static ResponseEntity<byte[]> respond(MediaType type, byte[] body) {
        return ResponseEntity.ok().contentType(type).cacheControl(CacheControl.noStore())
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff")
                .body(body);
    }

    private static byte[] read(String name) {
        try (InputStream in = new ClassPathResource("audit-console/" + name).getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("audit console file missing: " + name, e);
        }
    }
}
