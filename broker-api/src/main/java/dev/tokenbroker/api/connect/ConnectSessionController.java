package dev.tokenbroker.api.connect;

import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.issuer.ApiClient;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.connectors.ConnectorRegistry;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/connect-sessions}: an app's backend asks for a single-use connect URL for its user. */
@RestController
final class ConnectSessionController {

    private final ConnectSessionStore sessions;
    private final ConnectSessionQuota quota;
    private final ConnectorRegistry connectors;
    private final CallingClient callingClient;
    private final ConnectProperties properties;
    private final ConnectUrls urls;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ConnectSessionController(ConnectSessionStore sessions, ConnectSessionQuota quota, ConnectorRegistry connectors, CallingClient callingClient,
                             ConnectProperties properties, ConnectUrls urls, Clock clock) {
        this.sessions = sessions;
        this.quota = quota;
        this.connectors = connectors;
        this.callingClient = callingClient;
        this.properties = properties;
        this.urls = urls;
        this.clock = clock;
    }

    record CreateConnectSession(
            @NotNull @Pattern(regexp = IdentifierPatterns.USER_ID) String userId,
            @NotNull @Pattern(regexp = IdentifierPatterns.CONNECTOR_ID) String connector,
            @Size(max = 20) List<@NotNull @Pattern(regexp = "[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,200}") String> scopes,
            @NotNull @Size(max = 2000) String returnTo) {
    }

    record CreatedConnectSession(String id, URI connectUrl, Instant expiresAt) {
    }

    @PostMapping(path = "/v1/connect-sessions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<CreatedConnectSession> create(@Valid @RequestBody CreateConnectSession request,
                                                 Authentication authentication) {
        ApiClient client = callingClient.require(authentication, ApiScope.CONNECTIONS_WRITE);
        if (connectors.find(request.connector()).isEmpty()) {
            throw new ApiProblemException(ProblemType.UNKNOWN_CONNECTOR, "No connector '" + request.connector() + "'");
        }
        callingClient.requireConnector(client, request.connector());
        URI returnTo = parse(request.returnTo());
        if (!client.allowsReturnTo(returnTo)) {
            throw new ApiProblemException(ProblemType.RETURN_URL_NOT_ALLOWED,
                    "returnTo must be one of the client's registered return URLs");
        }
        Instant now = clock.instant();
        quota.requireRoomFor(client.clientId(), now);
        ConnectSession session = new ConnectSession(newSessionId(), client.clientId(), request.userId(),
                request.connector(), request.scopes() == null || request.scopes().isEmpty()
                        ? null : String.join(" ", request.scopes()),
                returnTo, ConnectSession.Status.CREATED, now, now.plus(properties.sessionTtl()));
        sessions.create(session);
        return ResponseEntity.status(HttpStatus.CREATED).header("Cache-Control", "no-store")
                .body(new CreatedConnectSession(session.sessionId(), urls.connectUrl(session.sessionId()),
                        session.expiresAt()));
    }

    private static URI parse(String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new ApiProblemException(ProblemType.RETURN_URL_NOT_ALLOWED,
                    "returnTo must be one of the client's registered return URLs");
        }
    }

    /** 256 random bits: the id is the valet key itself, so it must not be guessable. */
    private String newSessionId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
