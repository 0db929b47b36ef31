package dev.tokenbroker.api;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Links a user's demo account the way a browser would: connect URL → demo IdP login → callback. */
public final class DemoLinking {

    private final ApiClients api;

    public DemoLinking(ApiClients api) {
        this.api = api;
    }

    /** @return where the broker sent the browser at the end */
    public URI link(String appToken, String userId, String upstreamUser) throws Exception {
        HttpResponse<String> created = api.send("POST", "/v1/connect-sessions", appToken, "application/json",
                "{\"userId\":\"" + userId + "\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}");
        if (created.statusCode() != 201) {
            throw new AssertionError("connect session: " + created.statusCode() + " " + created.body());
        }
        URI connectUrl = URI.create(api.json(created).get("connectUrl").asText());
        URI authorize = location(api.send(HttpRequest.newBuilder(connectUrl).GET().build()));
        URI callback = location(api.send(HttpRequest.newBuilder(authorize)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + upstreamUser + "&claims="))
                .build()));
        return location(api.send(HttpRequest.newBuilder(callback).GET().build()));
    }

    private static URI location(HttpResponse<String> response) {
        if (response.statusCode() != 302) {
            throw new AssertionError("expected a redirect, got " + response.statusCode() + " " + response.body());
        }
        return URI.create(response.headers().firstValue("Location").orElseThrow());
    }
}
