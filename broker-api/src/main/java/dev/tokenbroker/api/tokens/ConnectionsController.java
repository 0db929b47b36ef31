package dev.tokenbroker.api.tokens;

import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.issuer.ApiClient;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetSummary;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The backends' side: a user's connections (metadata only), a fresh access token for one of them
 * (never a refresh token), and unlinking (upstream revocation, then crypto-shredding).
 */
@RestController
final class ConnectionsController {

    private final TokenSetQueries queries;
    private final CallingClient callingClient;
    private final ConnectorRegistry connectors;
    private final AccessTokenRetrieval retrieval;
    private final TokenSetRevocation revocation;
    private final Clock clock;

    ConnectionsController(TokenSetQueries queries, CallingClient callingClient, ConnectorRegistry connectors,
                          AccessTokenRetrieval retrieval, TokenSetRevocation revocation,
                          Clock clock) {
        this.queries = queries;
        this.callingClient = callingClient;
        this.connectors = connectors;
        this.retrieval = retrieval;
        this.revocation = revocation;
        this.clock = clock;
    }

    record Connection(String connector, String status, Set<String> scopes, Instant accessTokenExpiresAt,
                      Instant refreshTokenExpiresAt, String upstreamSubject, String upstreamDisplayName,
                      Instant linkedAt, Instant lastRefreshedAt) {
    }

    @GetMapping(path = "/v1/users/{userId}/connections", produces = MediaType.APPLICATION_JSON_VALUE)
    List<Connection> connections(@PathVariable @Pattern(regexp = IdentifierPatterns.USER_ID) String userId, Authentication authentication) {
        ApiClient client = callingClient.require(authentication, ApiScope.TOKENS_READ, ApiScope.CONNECTIONS_WRITE);
        // The allowed connectors are named so that a rebuild replaying the view does not hide a linked one.
        List<String> allowed = connectors.ids().stream().filter(client::allowsConnector).toList();
        return queries.tokenSetsOfUser(userId, allowed).stream()
                .filter(summary -> client.allowsConnector(summary.connectorId()))
                .filter(summary -> summary.erasedAt() == null)
                .map(ConnectionsController::connection)
                .toList();
    }

    @GetMapping(path = "/v1/users/{userId}/connections/{connector}/token", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<AccessTokenResponse> token(@PathVariable @Pattern(regexp = IdentifierPatterns.USER_ID) String userId,
                                              @PathVariable @Pattern(regexp = IdentifierPatterns.CONNECTOR_ID) String connector,
                                              @RequestParam(name = "min_validity", defaultValue = "60")
                                              @Min(0) @Max(86_400) long minValidity,
                                              Authentication authentication) {
        ApiClient client = callingClient.require(authentication, ApiScope.TOKENS_READ);
        requireKnownAllowedConnector(client, connector);
        CurrentAccessToken.Available token;
        try {
            token = retrieval.retrieve(client.clientId(), userId, connector, Duration.ofSeconds(minValidity), null);
        } catch (AccessTokenRetrieval.Unavailable e) {
            throw switch (e.reason()) {
                case NOT_LINKED -> notLinked(connector);
                case REAUTHORIZATION_REQUIRED -> reauthorizationRequired();
                case UPSTREAM_UNAVAILABLE -> new ApiProblemException(ProblemType.UPSTREAM_UNAVAILABLE,
                        "The identity provider could not refresh the token; retry later", e.retryAfter());
                case NO_VALID_TOKEN -> new ApiProblemException(ProblemType.UPSTREAM_UNAVAILABLE,
                        "The identity provider did not issue a valid token; retry later", e.retryAfter());
            };
        }
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header("Pragma", "no-cache")
                .body(AccessTokenResponse.of(token, clock.instant()));
    }

    @DeleteMapping("/v1/users/{userId}/connections/{connector}")
    ResponseEntity<Void> unlink(@PathVariable @Pattern(regexp = IdentifierPatterns.USER_ID) String userId,
                                @PathVariable @Pattern(regexp = IdentifierPatterns.CONNECTOR_ID) String connector,
                                Authentication authentication) {
        ApiClient client = callingClient.require(authentication, ApiScope.CONNECTIONS_WRITE);
        requireKnownAllowedConnector(client, connector);
        TokenSetId id = TokenSetId.of(userId, connector);
        if (!revocation.revokeAndErase(id, Actor.apiClient(client.clientId()), "unlinked through the token API")) {
            throw notLinked(connector);
        }
        return ResponseEntity.noContent().build();
    }

    private void requireKnownAllowedConnector(ApiClient client, String connector) {
        callingClient.requireConnector(client, connector);
        if (connectors.find(connector).isEmpty()) {
            throw new ApiProblemException(ProblemType.UNKNOWN_CONNECTOR, "No connector '" + connector + "'");
        }
    }

    private static ApiProblemException reauthorizationRequired() {
        return new ApiProblemException(ProblemType.REAUTHORIZATION_REQUIRED,
                "The user's grant at the identity provider ended. Create a connect session (POST /v1/connect-sessions) "
                        + "for this user and connector and send the user through it to link again.");
    }

    private static ApiProblemException notLinked(String connector) {
        return new ApiProblemException(ProblemType.NOT_LINKED, "The user has no linked account at connector '"
                + connector + "'; create a connect session (POST /v1/connect-sessions) to link one");
    }

    private static Connection connection(TokenSetSummary summary) {
        return new Connection(summary.connectorId(), summary.status().name(), summary.grantedScopes(),
                summary.accessTokenExpiresAt(), summary.refreshTokenExpiresAt(), summary.upstreamSubject(),
                summary.upstreamDisplayName(), summary.linkedAt(), summary.lastRefreshedAt());
    }
}
