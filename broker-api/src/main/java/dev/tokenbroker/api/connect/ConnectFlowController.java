package dev.tokenbroker.api.connect;

import com.nimbusds.oauth2.sdk.Scope;
import dev.tokenbroker.connectors.AuthorizationStart;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The browser side of linking: the connect URL sends the user to the IdP (authorization code with
 * PKCE S256, {@code state}, {@code nonce}); the callback checks {@code state} (single use, bound to
 * the session), exchanges the code, links, and sends the browser back to the app's registered
 * {@code returnTo} with {@code status=linked} or {@code status=error&error=<code>}.
 *
 * <p>Error codes for the app: {@code user_denied}, {@code idp_error}, {@code session_expired},
 * {@code session_used}, {@code link_failed}. Where no registered {@code returnTo} is known (unknown
 * session or state), a plain page is shown instead: redirecting anywhere else would be an open
 * redirect.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1">RFC 6749 section 4.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7636">RFC 7636 (PKCE)</a>
 */
@RestController
final class ConnectFlowController {

    private static final Logger log = LoggerFactory.getLogger(ConnectFlowController.class);

    private final ConnectSessionStore sessions;
    private final ConnectorRegistry connectors;
    private final PendingAuthorizationSealer sealer;
    private final TokenSetLinker linker;
    private final ConnectUrls urls;
    private final Clock clock;

    ConnectFlowController(ConnectSessionStore sessions, ConnectorRegistry connectors, PendingAuthorizationSealer sealer,
                          TokenSetLinker linker, ConnectUrls urls, Clock clock) {
        this.sessions = sessions;
        this.connectors = connectors;
        this.sealer = sealer;
        this.linker = linker;
        this.urls = urls;
        this.clock = clock;
    }

    @GetMapping("/v1/connect/{sessionId}")
    ResponseEntity<String> connect(@PathVariable String sessionId) {
        if (!sessionId.matches("[A-Za-z0-9_-]{43}")) {
            return page(HttpStatus.NOT_FOUND, "This connect link is not valid.");
        }
        Optional<ConnectSession> found = sessions.find(sessionId);
        if (found.isEmpty()) {
            return page(HttpStatus.NOT_FOUND, "This connect link is not valid.");
        }
        ConnectSession session = found.get();
        Instant now = clock.instant();
        Optional<Connector> connector = connectors.find(session.connectorId());
        if (session.expiredAt(now)) {
            return backToApp(session, "session_expired");
        }
        if (session.status() != ConnectSession.Status.CREATED || connector.isEmpty()) {
            return backToApp(session, connector.isEmpty() ? "idp_error" : "session_used");
        }
        Scope scope = session.requestedScopes() == null ? null : Scope.parse(session.requestedScopes());
        AuthorizationStart start = connector.get().startAuthorization(urls.callbackUrl(), scope);
        PendingAuthorization pending = start.pending();
        if (!sessions.markRedirected(sessionId, pending.state().getValue(), sealer.seal(sessionId, pending), now)) {
            // Lost a race with another click on the same link, or it expired just now.
            return backToApp(session, session.expiredAt(clock.instant()) ? "session_expired" : "session_used");
        }
        return redirect(start.authorizationUri());
    }

    @GetMapping("/v1/oauth/callback")
    ResponseEntity<String> callback(@RequestParam(required = false) String state,
                                    @RequestParam(required = false) String error,
                                    HttpServletRequest request) {
        if (state == null || state.isBlank() || state.length() > 512) {
            return page(HttpStatus.BAD_REQUEST, "This sign-in response cannot be used. Start again from the app.");
        }
        Optional<ConnectSession> found = sessions.findByState(state);
        if (found.isEmpty()) {
            return page(HttpStatus.BAD_REQUEST, "This sign-in response cannot be used. Start again from the app.");
        }
        ConnectSession session = found.get();
        Instant now = clock.instant();
        if (session.expiredAt(now)) {
            sessions.recordOutcome(session.sessionId(), "session_expired", now);
            return backToApp(session, "session_expired");
        }
        Optional<byte[]> sealed = sessions.finish(session.sessionId(), now);
        if (sealed.isEmpty() || sealed.get() == null) {
            return backToApp(session, "session_used");
        }
        if (error != null) {
            String outcome = "access_denied".equals(error) ? "user_denied" : "idp_error";
            sessions.recordOutcome(session.sessionId(), outcome, now);
            return backToApp(session, outcome);
        }
        PendingAuthorization pending = sealer.open(session.sessionId(), sealed.get());
        Connector connector = connectors.get(session.connectorId());
        URI callbackUri = URI.create(pending.redirectUri() + "?" + request.getQueryString());
        try {
            TokenResult tokens = connector.exchange(callbackUri, pending);
            UpstreamAccount account = connector.identify(tokens);
            linker.link(session, tokens, account, pending.requestedScope());
        } catch (ConnectorException e) {
            log.warn("Connect session {} for connector {}: the IdP exchange failed ({}): {}", session.sessionId(),
                    session.connectorId(), e.kind(), e.getMessage());
            sessions.recordOutcome(session.sessionId(), "idp_error", clock.instant());
            return backToApp(session, "idp_error");
        } catch (RuntimeException e) {
            log.error("Connect session {} for connector {}: linking failed", session.sessionId(), session.connectorId(), e);
            sessions.recordOutcome(session.sessionId(), "link_failed", clock.instant());
            return backToApp(session, "link_failed");
        }
        sessions.recordOutcome(session.sessionId(), "linked", clock.instant());
        return backToAppLinked(session);
    }

    private ResponseEntity<String> backToAppLinked(ConnectSession session) {
        return redirect(UriComponentsBuilder.fromUri(session.returnTo())
                .queryParam("status", "linked")
                .queryParam("connector", session.connectorId())
                .queryParam("session", session.sessionId())
                .build(true).toUri());
    }

    private ResponseEntity<String> backToApp(ConnectSession session, String error) {
        return redirect(UriComponentsBuilder.fromUri(session.returnTo())
                .queryParam("status", "error")
                .queryParam("error", error)
                .queryParam("connector", session.connectorId())
                .queryParam("session", session.sessionId())
                .build(true).toUri());
    }

    private static ResponseEntity<String> redirect(URI location) {
        // Cache-Control, Referrer-Policy, CSP and the other browser headers: BrowserPageHeadersFilter.
        return ResponseEntity.status(HttpStatus.FOUND).location(location).build();
    }

    /** A fixed message, never request data: nothing to inject. */
    private static ResponseEntity<String> page(HttpStatus status, String message) {
        // Cache-Control, Referrer-Policy, CSP and the other browser headers: BrowserPageHeadersFilter.
        return ResponseEntity.status(status).contentType(MediaType.TEXT_HTML)
                .body("<!doctype html><html><head><meta charset=\"utf-8\"><title>Token Broker</title></head>"
                        + "<body><h1>Cannot connect the account</h1><p>" + message + "</p></body></html>");
    }
}
