package dev.tokenbroker.api.audit;

import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.projections.ReadModelRebuild;
import dev.tokenbroker.projections.history.TokenSetHistoryEntry;
import dev.tokenbroker.projections.history.TokenSetHistoryRepository;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * For audit teams: the metadata history of a token set (every change and every hand-out, never
 * token material), and, for operators, a rebuild of the read models from the event store.
 */
@RestController
final class AuditController {

    private final TokenSetHistoryRepository history;
    private final ReadModelRebuild rebuild;
    private final CallingClient callingClient;

    AuditController(TokenSetHistoryRepository history, ReadModelRebuild rebuild, CallingClient callingClient) {
        this.history = history;
        this.rebuild = rebuild;
        this.callingClient = callingClient;
    }

    @GetMapping(path = "/v1/audit/users/{userId}/connections/{connector}/history", produces = MediaType.APPLICATION_JSON_VALUE)
    List<TokenSetHistoryEntry> history(@PathVariable @Pattern(regexp = IdentifierPatterns.USER_ID) String userId,
                                       @PathVariable @Pattern(regexp = IdentifierPatterns.CONNECTOR_ID) String connector,
                                       Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        return history.historyOf(TokenSetId.of(userId, connector));
    }

    /** The progress of the last rebuild started on this instance: events processed / total, rate, time left. */
    @GetMapping(path = "/v1/admin/read-models/rebuild", produces = MediaType.APPLICATION_JSON_VALUE)
    ReadModelRebuild.Progress rebuildProgress(Authentication authentication) {
        callingClient.require(authentication, ApiScope.ADMIN);
        return rebuild.progress();
    }

    /** Replays every read model from the first event; answers once the rebuild has started. */
    @PostMapping("/v1/admin/read-models/rebuild")
    ResponseEntity<Void> rebuild(Authentication authentication) {
        callingClient.require(authentication, ApiScope.ADMIN);
        rebuild.rebuildAll();
        return ResponseEntity.accepted().build();
    }
}
