package dev.tokenbroker.api.audit;

import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.problem.ProblemType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Parses the audit API's query parameters into values, or ends the request with a 400 problem. */
final class AuditParameters {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;

    private AuditParameters() {
    }

    static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw invalid("'" + name + "' must be an ISO-8601 instant such as 2025-10-01T00:00:00Z");
        }
    }

    static Instant requiredInstant(String name, String value) {
        Instant instant = instant(name, value);
        if (instant == null) {
            throw invalid("'" + name + "' is required: an ISO-8601 instant such as 2025-10-01T00:00:00Z");
        }
        return instant;
    }

    static int limit(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid("'limit' must be a number from 1 to " + MAX_LIMIT);
    }

    static String matching(String name, String value, String pattern) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!value.matches(pattern)) {
            throw invalid("'" + name + "' is malformed");
        }
        return value;
    }

    static List<String> types(List<String> values) {
        List<String> types = new ArrayList<>();
        if (values != null) {
            for (String value : values) {
                for (String type : value.split(",")) {
                    String trimmed = type.trim();
                    if (trimmed.isEmpty()) {
                        continue;
                    }
                    if (!EventFeed.types().contains(trimmed)) {
                        throw invalid("'type' must be one of " + String.join(", ", dev.tokenbroker.projections
                                .integration.IntegrationEvents.TYPES));
                    }
                    if (!types.contains(trimmed)) {
                        types.add(trimmed);
                    }
                }
            }
        }
        return types;
    }

    static EventFeedFilter filter(String userId, String connector, List<String> type, String clientId, String from,
                                  String to) {
        EventFeedFilter filter = new EventFeedFilter(matching("userId", userId, IdentifierPatterns.USER_ID),
                matching("connector", connector, IdentifierPatterns.CONNECTOR_ID), types(type),
                matching("clientId", clientId, IdentifierPatterns.CLIENT_ID), instant("from", from), instant("to", to));
        if (filter.from() != null && filter.to() != null && filter.from().isAfter(filter.to())) {
            throw invalid("'from' must not be after 'to'");
        }
        return filter;
    }

    static ApiProblemException invalid(String detail) {
        return new ApiProblemException(ProblemType.INVALID_REQUEST, detail);
    }
}
