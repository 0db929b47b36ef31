package dev.tokenbroker.connectors.testkit;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading what a WireMock simulation received. */
public final class WireMockRequests {

    private WireMockRequests() {
    }

    public static Map<String, String> formParameters(String body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return parameters;
        }
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    public static Map<String, String> lastFormParameters(List<LoggedRequest> requests) {
        if (requests.isEmpty()) {
            return Map.of();
        }
        // findAll lists requests oldest first.
        return formParameters(requests.get(requests.size() - 1).getBodyAsString());
    }
}
