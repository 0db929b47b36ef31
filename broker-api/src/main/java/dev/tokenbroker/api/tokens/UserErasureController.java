package dev.tokenbroker.api.tokens;

import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetSummary;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code DELETE /v1/users/{userId}} (scope admin): revoke and crypto-shred every token set of a user. */
@RestController
final class UserErasureController {

    private final TokenSetQueries queries;
    private final TokenSetRevocation revocation;
    private final CallingClient callingClient;
    private final ConnectorRegistry connectors;

    UserErasureController(TokenSetQueries queries, TokenSetRevocation revocation, CallingClient callingClient,
                          ConnectorRegistry connectors) {
        this.queries = queries;
        this.revocation = revocation;
        this.callingClient = callingClient;
        this.connectors = connectors;
    }

    @DeleteMapping("/v1/users/{userId}")
    ResponseEntity<Void> erase(@PathVariable @Pattern(regexp = IdentifierPatterns.USER_ID) String userId,
                               Authentication authentication) {
        String adminClient = callingClient.require(authentication, ApiScope.ADMIN).clientId();
        // Every configured connector is named: while a rebuild replays the view, a linked token set can have no
        // row yet, and a 204 must still mean every token set of the user is gone.
        for (TokenSetSummary summary : queries.tokenSetsOfUser(userId, connectors.ids())) {
            revocation.revokeAndErase(summary.tokenSetId(), Actor.admin(adminClient),
                    "user erased by an administrator");
        }
        return ResponseEntity.noContent().build();
    }
}
