package dev.tokenbroker.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.issuer.SigningKeyStore;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Malformed, oversized and unauthorized input: always a 4xx problem+json, never a 500, and
 * nothing written (row counts of every table that requests can write are unchanged).
 */
@BrokerApiTest
class BadInputTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    SigningKeyStore signingKeys;
    @Autowired
    ConnectorRegistry connectors;

    ApiClients api;
    String appToken;
    String backendToken;
    String adminToken;

    @BeforeEach
    void setUp() throws Exception {
        api = new ApiClients(port);
        appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        adminToken = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
    }

    record Call(String method, String path, String token, String contentType, String body, int status, String type) {
    }

    @Test
    void malformedOversizedAndUnauthorizedRequestsGetAProblemAndChangeNothing() throws Exception {
        String validSession = "{\"userId\":\"ivan\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}";
        String json = "application/json";
        List<Call> calls = List.of(
                // unauthenticated, forged, expired
                new Call("POST", "/v1/connect-sessions", null, json, validSession, 401, "unauthorized"),
                new Call("POST", "/v1/connect-sessions", "not.a.jwt", json, validSession, 401, "unauthorized"),
                new Call("POST", "/v1/connect-sessions", foreignSignedToken(), json, validSession, 401, "unauthorized"),
                new Call("POST", "/v1/connect-sessions", expiredToken(), json, validSession, 401, "unauthorized"),
                new Call("GET", "/v1/users/ivan/connections/demo/token", null, null, null, 401, "unauthorized"),
                new Call("DELETE", "/v1/users/ivan", null, null, null, 401, "unauthorized"),
                new Call("GET", "/v1/admin/clients", null, null, null, 401, "unauthorized"),
                // authenticated but not allowed
                new Call("POST", "/v1/connect-sessions", backendToken, json, validSession, 403, "insufficient_scope"),
                new Call("GET", "/v1/users/ivan/connections/demo/token", appToken, null, null, 403, "insufficient_scope"),
                new Call("DELETE", "/v1/users/ivan", appToken, null, null, 403, "insufficient_scope"),
                new Call("POST", "/v1/admin/clients", appToken, json, "{}", 403, "insufficient_scope"),
                new Call("GET", "/v1/users/ivan/connections/google/token", backendToken, null, null, 403, "connector_not_allowed"),
                new Call("DELETE", "/v1/users/ivan/connections/google", appToken, null, null, 403, "connector_not_allowed"),
                // malformed input
                new Call("POST", "/v1/connect-sessions", appToken, json, "{not json", 400, "invalid_request"),
                new Call("POST", "/v1/connect-sessions", appToken, json, "[]", 400, "invalid_request"),
                new Call("POST", "/v1/connect-sessions", appToken, json, "{}", 400, "invalid_request"),
                new Call("POST", "/v1/connect-sessions", appToken, json,
                        "{\"userId\":\"has space\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}", 400, "invalid_request"),
                new Call("POST", "/v1/connect-sessions", appToken, json,
                        "{\"userId\":\"" + "u".repeat(200) + "\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}", 400, "invalid_request"),
                new Call("POST", "/v1/connect-sessions", appToken, json,
                        "{\"userId\":\"ivan\",\"connector\":\"DEMO!\",\"returnTo\":\"https://app.example/linked\"}", 400, "invalid_request"),
                new Call("POST", "/v1/connect-sessions", appToken, json,
                        "{\"userId\":\"ivan\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\",\"scopes\":[\"a b\"]}", 400, "invalid_request"),
                new Call("POST", "/v1/connect-sessions", appToken, "text/plain", validSession, 415, "unsupported_media_type"),
                new Call("POST", "/v1/connect-sessions", appToken, json, "{\"userId\":\"" + "x".repeat(20_000) + "\"}", 413, "payload_too_large"),
                new Call("PUT", "/v1/connect-sessions", appToken, json, validSession, 405, "method_not_allowed"),
                new Call("GET", "/v1/users/ivan/connections/demo/token?min_validity=abc", backendToken, null, null, 400, "invalid_request"),
                new Call("GET", "/v1/users/ivan/connections/demo/token?min_validity=-5", backendToken, null, null, 400, "invalid_request"),
                new Call("GET", "/v1/users/ivan/connections/demo/token?min_validity=99999999", backendToken, null, null, 400, "invalid_request"),
                new Call("GET", "/v1/users/%20%20/connections/demo/token", backendToken, null, null, 400, "invalid_request"),
                new Call("GET", "/v1/users/" + "u".repeat(300) + "/connections", backendToken, null, null, 400, "invalid_request"),
                new Call("GET", "/v1/users/ivan/connections/Not_A_Connector/token", backendToken, null, null, 400, "invalid_request"),
                new Call("GET", "/v1/users/ivan/connections/demo/token", backendToken, null, null, 404, "not_linked"),
                new Call("GET", "/v1/no-such-thing", backendToken, null, null, 404, "not_found"),
                new Call("POST", "/v1/admin/clients", adminToken, json,
                        "{\"clientId\":\"bad id!\",\"scopes\":[],\"allowedConnectors\":[],\"allowedReturnUrls\":[]}", 400, "invalid_request"),
                new Call("POST", "/v1/admin/clients", adminToken, json,
                        "{\"clientId\":\"ok\",\"scopes\":[\"root\"],\"allowedConnectors\":[],\"allowedReturnUrls\":[]}", 400, "invalid_request"),
                new Call("POST", "/v1/admin/clients", adminToken, json,
                        "{\"clientId\":\"ok\",\"scopes\":[],\"allowedConnectors\":[],\"allowedReturnUrls\":[\"http://evil.example/x\"]}", 400, "invalid_request"),
                new Call("DELETE", "/v1/admin/clients/test-app/secrets/not-a-uuid", adminToken, null, null, 400, "invalid_request"));

        Map<String, Long> before = rowCounts();
        long lastEvent = lastGlobalIndex();
        for (Call call : calls) {
            HttpResponse<String> response = api.send(call.method(), call.path(), call.token(), call.contentType(), call.body());
            String label = call.method() + " " + call.path().substring(0, Math.min(80, call.path().length()));
            assertThat(response.statusCode()).as(label + " " + response.body()).isEqualTo(call.status());
            assertThat(response.headers().firstValue("Content-Type")).as(label)
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(api.json(response).get("type").asText()).as(label)
                    .isEqualTo("urn:token-broker:problem:" + call.type());
        }
        assertThat(rowCounts()).as("events appended meanwhile: %s", eventsAfter(lastEvent)).isEqualTo(before);
    }

    @Test
    void theTokenEndpointAnswersBadRequestsTheOAuthWay() throws Exception {
        Map<String, Long> before = rowCounts();
        long lastEvent = lastGlobalIndex();
        HttpResponse<String> noGrant = api.send("POST", "/oauth2/token", null, "application/x-www-form-urlencoded",
                "client_id=test-app&client_secret=" + BrokerApiTest.APP_SECRET);
        HttpResponse<String> wrongGrant = api.send("POST", "/oauth2/token", null, "application/x-www-form-urlencoded",
                "grant_type=password&client_id=test-app&client_secret=" + BrokerApiTest.APP_SECRET);
        HttpResponse<String> oversized = api.send("POST", "/oauth2/token", null, "application/x-www-form-urlencoded",
                "grant_type=client_credentials&x=" + "y".repeat(20_000));

        assertThat(noGrant.statusCode()).isEqualTo(400);
        assertThat(wrongGrant.statusCode()).isEqualTo(400);
        assertThat(api.json(wrongGrant).get("error").asText()).isIn("unsupported_grant_type", "unauthorized_client");
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(rowCounts()).as("events appended meanwhile: %s", eventsAfter(lastEvent)).isEqualTo(before);
    }

    /**
     * Every event, except the refresh scheduler's on token sets the calls do not name: the test context is shared,
     * and another test class's token set can come due for a refresh while these calls run. The calls name only
     * ivan, so any event of ivan's token sets counts, and any other kind of event anywhere.
     */
    private long eventsTheCallsCouldCause() {
        List<String> ivansTokenSets = connectors.ids().stream()
                .map(connector -> TokenSetId.of("ivan", connector).toString()).toList();
        String placeholders = String.join(",", Collections.nCopies(ivansTokenSets.size(), "?"));
        List<Object> arguments = new ArrayList<>(ivansTokenSets);
        arguments.addAll(List.of(TokenSetRefreshed.class.getName(), TokenRefreshFailed.class.getName(),
                ReauthorizationRequired.class.getName()));
        return jdbc.queryForObject("select count(*) from domainevententry where aggregateidentifier in ("
                + placeholders + ") or payloadtype not in (?, ?, ?)", Long.class, arguments.toArray());
    }

    private long lastGlobalIndex() {
        return jdbc.queryForObject("select coalesce(max(globalindex), 0) from domainevententry", Long.class);
    }

    /** What a failed comparison needs to say: which events were appended, to which token set. */
    private List<String> eventsAfter(long globalIndex) {
        return jdbc.queryForList("select aggregateidentifier || ' ' || payloadtype from domainevententry"
                + " where globalindex > ? order by globalindex", String.class, globalIndex);
    }

    private Map<String, Long> rowCounts() {
        return Map.of(
                "events", eventsTheCallsCouldCause(),
                "sessions", count("connect_session"),
                "clients", count("api_client"),
                "secrets", count("api_client_secret"),
                "handOuts", count("token_hand_out"),
                "dataKeys", count("token_set_data_key"));
    }

    private long count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Long.class);
    }

    /** Right shape, a key id the broker knows, but signed by someone else's key. */
    private String foreignSignedToken() throws Exception {
        String kid = SignedJWT.parse(appToken).getHeader().getKeyID();
        RSAKey foreign = new RSAKeyGenerator(2048).keyID(kid).generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
                SignedJWT.parse(appToken).getJWTClaimsSet());
        jwt.sign(new RSASSASigner(foreign));
        return jwt.serialize();
    }

    /** Signed with the broker's own active key, but expired. */
    private String expiredToken() throws Exception {
        SigningKeyStore.SigningKey active = signingKeys.load().stream().filter(SigningKeyStore.SigningKey::active)
                .findFirst().orElseThrow();
        JWTClaimsSet claims = new JWTClaimsSet.Builder(SignedJWT.parse(appToken).getJWTClaimsSet())
                .issueTime(Date.from(Instant.now().minusSeconds(3600)))
                .notBeforeTime(Date.from(Instant.now().minusSeconds(3600)))
                .expirationTime(Date.from(Instant.now().minusSeconds(600)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(active.keyId()).build(), claims);
        jwt.sign(new RSASSASigner(active.jwk()));
        return jwt.serialize();
    }
}
