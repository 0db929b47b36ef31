package dev.tokenbroker.api.audit;

import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.projections.integration.IntegrationEvent;
import java.io.BufferedOutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The audit feed: every event of the broker in global order, as the same integration-event records the
 * Kafka stream publishes (schema {@code docs/schemas/token-set-event.v1.json}, {@code eventId} = the event's
 * id), paged with an opaque cursor or exported as NDJSON in constant memory.
 */
@RestController
final class AuditFeedController {

    static final String NDJSON = "application/x-ndjson";
    /** On an NDJSON export: the cursor to continue after it (the export's safe horizon). */
    static final String NEXT_CURSOR_HEADER = "Audit-Next-Cursor";

    private final EventFeed feed;
    private final CallingClient callingClient;

    AuditFeedController(EventFeed feed, CallingClient callingClient) {
        this.feed = feed;
        this.callingClient = callingClient;
    }

    /**
     * @param events     the page, in global order
     * @param nextCursor where to continue; also when the page is empty (poll with it later)
     * @param caughtUp   whether the page reached the feed's safe horizon (no more events for now)
     */
    record EventPage(List<IntegrationEvent> events, String nextCursor, boolean caughtUp) {
    }

    @GetMapping(path = "/v1/audit/events", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<EventPage> page(@RequestParam(required = false) String cursor,
                                   @RequestParam(required = false) String limit,
                                   @RequestParam(required = false) String userId,
                                   @RequestParam(required = false) String connector,
                                   @RequestParam(required = false) List<String> type,
                                   @RequestParam(required = false) String clientId,
                                   @RequestParam(required = false) String from,
                                   @RequestParam(required = false) String to,
                                   Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        EventFeedFilter filter = AuditParameters.filter(userId, connector, type, clientId, from, to);
        int pageSize = AuditParameters.limit(limit);
        long after = after(cursor, filter);
        EventFeed.Page page = feed.page(after, pageSize, filter);
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(new EventPage(page.events(),
                new AuditCursor(page.nextPosition(), filter.tag()).encode(), page.caughtUp()));
    }

    /** The same feed as NDJSON, one record a line, from the cursor (or the first event) to the safe horizon. */
    @GetMapping(path = "/v1/audit/events", produces = NDJSON)
    ResponseEntity<StreamingResponseBody> export(@RequestParam(required = false) String cursor,
                                                 @RequestParam(required = false) String userId,
                                                 @RequestParam(required = false) String connector,
                                                 @RequestParam(required = false) List<String> type,
                                                 @RequestParam(required = false) String clientId,
                                                 @RequestParam(required = false) String from,
                                                 @RequestParam(required = false) String to,
                                                 Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        EventFeedFilter filter = AuditParameters.filter(userId, connector, type, clientId, from, to);
        long after = after(cursor, filter);
        long horizon = Math.max(after, feed.safeHorizon());
        StreamingResponseBody body = out -> {
            try (IntegrationEventLines lines = new IntegrationEventLines(new BufferedOutputStream(out, 64 * 1024))) {
                try {
                    feed.stream(after, horizon, filter, lines::write);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                lines.flush();
            }
        };
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .contentType(MediaType.parseMediaType(NDJSON))
                .header(NEXT_CURSOR_HEADER, new AuditCursor(horizon, filter.tag()).encode())
                .body(body);
    }

    private static long after(String cursor, EventFeedFilter filter) {
        if (cursor == null || cursor.isEmpty()) {
            return 0;
        }
        AuditCursor decoded = AuditCursor.decode(cursor)
                .orElseThrow(() -> AuditParameters.invalid("'cursor' is not a cursor of this feed"));
        if (!decoded.filterTag().equals(filter.tag())) {
            throw AuditParameters.invalid("'cursor' was issued for other filters: repeat the filters it came with");
        }
        return decoded.position();
    }
}
