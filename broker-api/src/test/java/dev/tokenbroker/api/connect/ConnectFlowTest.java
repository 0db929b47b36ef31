package dev.tokenbroker.api.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.util.UriComponentsBuilder;

/** The browser side of linking, end to end against the demo IdP (mock-oauth2-server, a real OIDC server). */
@BrokerApiTest
class ConnectFlowTest {

    @LocalServerPort
    int port;
    @Autowired
    EventStore eventStore;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;
    @Autowired
    ConnectSessionCleanup cleanup;

    ApiClients api;
    String appToken;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiClients(port);
        appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
    }

    @Test
    void linksTheAccountAndSendsTheBrowserBackToTheRegisteredReturnUrl() throws Exception {
        JsonNode session = createSession("alice", "demo", "https://app.example/linked?from=settings");
        URI connectUrl = URI.create(session.get("connectUrl").asText());

        HttpResponse<String> toIdp = api.send(HttpRequest.newBuilder(connectUrl).GET().build());
        assertThat(toIdp.statusCode()).isEqualTo(302);
        URI authorize = URI.create(toIdp.headers().firstValue("Location").orElseThrow());
        var params = UriComponentsBuilder.fromUri(authorize).build().getQueryParams();
        String redirectUri = java.net.URLDecoder.decode(params.getFirst("redirect_uri"), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(params.getFirst("code_challenge_method")).isEqualTo("S256");
        assertThat(params.getFirst("state")).isNotBlank();
        assertThat(params.getFirst("nonce")).isNotBlank();
        assertThat(redirectUri).endsWith("/v1/oauth/callback");

        URI callback = signInAtDemoIdp(authorize, "alice-upstream");
        HttpResponse<String> back = api.send(HttpRequest.newBuilder(callback).GET().build());

        assertThat(back.statusCode()).isEqualTo(302);
        URI returned = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertThat(returned.getHost()).isEqualTo("app.example");
        assertThat(returned.getQuery()).contains("from=settings").contains("status=linked").contains("connector=demo");

        List<? extends DomainEventMessage<?>> events = eventStore
                .readEvents(TokenSetId.of("alice", "demo").toString()).asStream().toList();
        assertThat(events).hasSize(1);
        TokenSetLinked linked = (TokenSetLinked) events.get(0).getPayload();
        assertThat(linked.upstreamSubject()).isEqualTo("alice-upstream");
        assertThat(linked.refreshToken()).isNotNull();
        assertThat(linked.actor().connectSessionId()).isEqualTo(session.get("id").asText());

        // Single use: neither the connect URL nor the callback works a second time.
        HttpResponse<String> again = api.send(HttpRequest.newBuilder(connectUrl).GET().build());
        assertThat(again.headers().firstValue("Location").orElseThrow()).contains("error=session_used");
        HttpResponse<String> replayed = api.send(HttpRequest.newBuilder(callback).GET().build());
        assertThat(replayed.headers().firstValue("Location").orElseThrow()).contains("error=session_used");
        assertThat(eventStore.readEvents(TokenSetId.of("alice", "demo").toString()).asStream().count()).isEqualTo(1);
    }

    @Test
    void aDenyingUserIsSentBackWithUserDenied() throws Exception {
        JsonNode session = createSession("bob", "demo", "https://app.example/linked");
        HttpResponse<String> toIdp = api.send(HttpRequest.newBuilder(URI.create(session.get("connectUrl").asText())).GET().build());
        String state = UriComponentsBuilder.fromUriString(toIdp.headers().firstValue("Location").orElseThrow())
                .build().getQueryParams().getFirst("state");

        HttpResponse<String> back = api.get("/v1/oauth/callback?error=access_denied&state=" + state, null);

        assertThat(back.statusCode()).isEqualTo(302);
        assertThat(back.headers().firstValue("Location").orElseThrow())
                .startsWith("https://app.example/linked?").contains("status=error").contains("error=user_denied");
        assertThat(eventStore.readEvents(TokenSetId.of("bob", "demo").toString()).asStream().count()).isZero();
    }

    @Test
    void anUnknownStateGetsAPlainPageNotARedirect() throws Exception {
        HttpResponse<String> response = api.get("/v1/oauth/callback?code=x&state=forged-state", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Location")).isEmpty();
        assertThat(response.body()).doesNotContain("forged-state");
    }

    @Test
    void returnUrlsMustBeRegisteredForTheClient() throws Exception {
        for (String returnTo : List.of("https://evil.example/linked", "https://app.example/linked/../other",
                "https://app.example.evil.example/linked", "https://app.example/linkedx", "javascript:alert(1)",
                "https://app.example/linked#frag", "//evil.example")) {
            HttpResponse<String> response = api.send("POST", "/v1/connect-sessions", appToken, "application/json",
                    "{\"userId\":\"carol\",\"connector\":\"demo\",\"returnTo\":\"" + returnTo + "\"}");
            assertThat(response.statusCode()).as(returnTo).isEqualTo(400);
            assertThat(api.json(response).get("type").asText()).isEqualTo("urn:token-broker:problem:return_url_not_allowed");
        }
    }

    @Test
    void connectorsMustExistAndBeAllowedAndTheScopeMustFit() throws Exception {
        HttpResponse<String> unknown = api.send("POST", "/v1/connect-sessions", appToken, "application/json",
                "{\"userId\":\"carol\",\"connector\":\"nope\",\"returnTo\":\"https://app.example/linked\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(api.json(unknown).get("type").asText()).isEqualTo("urn:token-broker:problem:unknown_connector");

        String backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        HttpResponse<String> wrongScope = api.send("POST", "/v1/connect-sessions", backendToken, "application/json",
                "{\"userId\":\"carol\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}");
        assertThat(wrongScope.statusCode()).isEqualTo(403);
        assertThat(api.json(wrongScope).get("type").asText()).isEqualTo("urn:token-broker:problem:insufficient_scope");
    }

    @Test
    void connectUrlsAreShortLived() throws Exception {
        JsonNode session = createSession("dave", "demo", "https://app.example/linked");
        java.time.Instant expiresAt = java.time.Instant.parse(session.get("expiresAt").asText());
        assertThat(expiresAt).isBefore(java.time.Instant.now().plusSeconds(601));
        assertThat(session.get("id").asText()).hasSize(43);
    }

    @Test
    void sessionsAreDeletedADayAfterTheyExpired() {
        jdbc.update("insert into connect_session (session_id, client_id, user_id, connector_id, return_to, status, "
                + "created_at, expires_at) values ('old-session', 'test-app', 'zoe', 'demo', 'https://app.example/linked', "
                + "'FINISHED', now() - interval '3 days', now() - interval '2 days')");
        jdbc.update("insert into connect_session (session_id, client_id, user_id, connector_id, return_to, status, "
                + "created_at, expires_at) values ('recent-session', 'test-app', 'zoe', 'demo', 'https://app.example/linked', "
                + "'FINISHED', now() - interval '2 hours', now() - interval '1 hour')");

        cleanup.deleteExpired();

        assertThat(jdbc.queryForList("select session_id from connect_session where session_id in ('old-session', 'recent-session')",
                String.class)).containsExactly("recent-session");
    }

    private JsonNode createSession(String userId, String connector, String returnTo) throws Exception {
        HttpResponse<String> response = api.send("POST", "/v1/connect-sessions", appToken, "application/json",
                "{\"userId\":\"" + userId + "\",\"connector\":\"" + connector + "\",\"returnTo\":\"" + returnTo + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return api.json(response);
    }

    /** What a user does on the demo IdP's login page: type a user name and submit. */
    private URI signInAtDemoIdp(URI authorize, String username) throws Exception {
        HttpResponse<String> login = api.send(HttpRequest.newBuilder(authorize)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + username + "&claims="))
                .build());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
        return URI.create(login.headers().firstValue("Location").orElseThrow());
    }
}
