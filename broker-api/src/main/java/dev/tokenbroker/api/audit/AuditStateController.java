package dev.tokenbroker.api.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.problem.ProblemType;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.projections.integration.IntegrationEvent;
import jakarta.validation.constraints.Pattern;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Audit questions about states rather than events: a token set at an instant, every token set at an
 * instant, who received whose tokens, and everything recorded about one user. Metadata only.
 */
@RestController
final class AuditStateController {

    private final TokenSetStates states;
    private final HandOutReport handOuts;
    private final EventFeed feed;
    private final CallingClient callingClient;
    private final ObjectMapper json;
    private final Clock clock;

    AuditStateController(TokenSetStates states, HandOutReport handOuts, EventFeed feed, CallingClient callingClient,
                         ObjectMapper json, Clock clock) {
        this.states = states;
        this.handOuts = handOuts;
        this.feed = feed;
        this.callingClient = callingClient;
        this.json = json.copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        this.clock = clock;
    }

    @GetMapping(path = "/v1/audit/users/{userId}/connections/{connector}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ConnectionState> stateAt(@PathVariable @Pattern(regexp = IdentifierPatterns.USER_ID) String userId,
                                            @PathVariable @Pattern(regexp = IdentifierPatterns.CONNECTOR_ID) String connector,
                                            @RequestParam(required = false) String at,
                                            Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        Instant instant = at == null ? clock.instant() : AuditParameters.requiredInstant("at", at);
        ConnectionState state = states.at(userId, connector, instant).orElseThrow(() -> new ApiProblemException(
                ProblemType.NOT_LINKED, "The user had no connection at '" + connector + "' at " + instant));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(state);
    }

    /** Every token set that existed at the instant (optionally only those in one status), streamed. */
    @GetMapping(path = "/v1/audit/connections", produces = {MediaType.APPLICATION_JSON_VALUE, AuditFeedController.NDJSON})
    ResponseEntity<StreamingResponseBody> connectionsAt(@RequestParam(required = false) String at,
                                                        @RequestParam(required = false) String status,
                                                        @org.springframework.web.bind.annotation.RequestHeader(
                                                                name = HttpHeaders.ACCEPT, required = false) String accept,
                                                        Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        Instant instant = AuditParameters.requiredInstant("at", at);
        TokenSetStatus only = status(status);
        boolean ndjson = accept != null && accept.contains(AuditFeedController.NDJSON);
        StreamingResponseBody body = out -> {
            OutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
            JsonGenerator generator = json.getFactory().createGenerator(buffered);
            generator.setRootValueSeparator(null);
            if (!ndjson) {
                generator.writeStartArray();
            }
            try {
                states.streamAll(instant, state -> {
                    if (only != null && state.status() != only) {
                        return;
                    }
                    try {
                        json.writeValue(generator, state);
                        if (ndjson) {
                            // through the generator's buffer: a flush per line would send an HTTP chunk per line
                            generator.writeRaw('\n');
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (!ndjson) {
                generator.writeEndArray();
            }
            generator.flush();
            buffered.flush();
        };
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .contentType(ndjson ? MediaType.parseMediaType(AuditFeedController.NDJSON) : MediaType.APPLICATION_JSON)
                .body(body);
    }

    @GetMapping(path = "/v1/audit/hand-outs", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<HandOutReport.Report> handOuts(@RequestParam(required = false) String userId,
                                                  @RequestParam(required = false) String connector,
                                                  @RequestParam(required = false) String clientId,
                                                  @RequestParam(required = false) String from,
                                                  @RequestParam(required = false) String to,
                                                  Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        EventFeedFilter filter = AuditParameters.filter(userId, connector, List.of(), clientId, from, to);
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(handOuts.report(filter.userId(),
                filter.connectorId(), filter.clientId(), filter.from(), filter.to()));
    }

    /**
     * A subject-access export: every token set of the user (erased ones included: their metadata stays),
     * its state now and its complete history as integration events.
     */
    record SubjectAccessExport(String userId, Instant exportedAt, String eventSchema, List<Connection> connections) {
    }

    record Connection(UUID tokenSetId, String connectorId, ConnectionState state, List<IntegrationEvent> events) {
    }

    @GetMapping(path = "/v1/audit/users/{userId}/export", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<SubjectAccessExport> export(@PathVariable @Pattern(regexp = IdentifierPatterns.USER_ID) String userId,
                                               Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        Instant now = clock.instant();
        List<Connection> connections = new ArrayList<>();
        for (UUID id : feed.tokenSetIds(userId, null)) {
            List<IntegrationEvent> events = feed.historyOf(new TokenSetId(id));
            if (events.isEmpty()) {
                continue;
            }
            String connector = events.get(0).connectorId();
            connections.add(new Connection(id, connector, states.at(userId, connector, now).orElse(null), events));
        }
        connections.sort(java.util.Comparator.comparing(Connection::connectorId));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("subject-access-" + userId.replaceAll("[^A-Za-z0-9._-]", "_") + ".json").build()
                        .toString())
                .body(new SubjectAccessExport(userId, now, IntegrationEvent.SCHEMA_ID, connections));
    }

    private static TokenSetStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return TokenSetStatus.valueOf(value.trim());
        } catch (IllegalArgumentException e) {
            throw AuditParameters.invalid("'status' must be one of ACTIVE, REFRESH_FAILING, REAUTHORIZATION_REQUIRED,"
                    + " REVOKED, ERASED");
        }
    }
}
