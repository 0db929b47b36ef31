package dev.tokenbroker.api.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@BrokerApiTest
class ClientCredentialsIssuerTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    ApiClients api;

    @BeforeEach
    void client() {
        api = new ApiClients(port);
    }

    @Test
    void issuesShortLivedSignedJwtWithClientSecretBasic() throws Exception {
        HttpResponse<String> response = api.tokenBasic("test-backend", BrokerApiTest.BACKEND_SECRET, "tokens:read");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = api.json(response);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isBetween(590L, 600L);
        assertThat(body.get("scope").asText()).isEqualTo("tokens:read");
        SignedJWT jwt = SignedJWT.parse(body.get("access_token").asText());
        assertThat(jwt.getHeader().getKeyID()).isNotBlank();
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("test-backend");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("test-backend");
        assertThat(body.has("refresh_token")).isFalse();
    }

    @Test
    void acceptsClientSecretPost() throws Exception {
        HttpResponse<String> response = api.tokenPost("test-app", BrokerApiTest.APP_SECRET);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(api.json(response).get("scope").asText()).isEqualTo("connections:write");
    }

    @Test
    void wrongSecretAndUnknownClientGetTheSameInvalidClientAnswer() throws Exception {
        HttpResponse<String> wrongSecret = api.tokenBasic("test-backend", "not-the-secret-at-all", null);
        HttpResponse<String> unknownClient = api.tokenBasic("nobody", BrokerApiTest.BACKEND_SECRET, null);

        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(unknownClient.statusCode()).isEqualTo(401);
        assertThat(api.json(wrongSecret).get("error").asText()).isEqualTo("invalid_client");
        assertThat(wrongSecret.body()).isEqualTo(unknownClient.body());
    }

    @Test
    void refusesScopesTheClientWasNotGranted() throws Exception {
        HttpResponse<String> response = api.tokenBasic("test-backend", BrokerApiTest.BACKEND_SECRET, "admin");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(api.json(response).get("error").asText()).isEqualTo("invalid_scope");
    }

    @Test
    void aSecondSecretAllowsRotationWithoutDowntime() throws Exception {
        String admin = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        api.send("POST", "/v1/admin/clients", admin, "application/json", """
                {"clientId":"rotating","scopes":["tokens:read"],"allowedConnectors":["demo"],"allowedReturnUrls":[]}
                """);
        JsonNode created = api.json(api.send("POST", "/v1/admin/clients", admin, "application/json", """
                {"clientId":"rotating-2","scopes":["tokens:read"],"allowedConnectors":["demo"],"allowedReturnUrls":[]}
                """));
        String firstSecret = created.get("secret").get("secret").asText();
        String firstSecretId = created.get("secret").get("secretId").asText();

        HttpResponse<String> added = api.send("POST", "/v1/admin/clients/rotating-2/secrets", admin, "application/json", "{}");
        assertThat(added.statusCode()).isEqualTo(201);
        String secondSecret = api.json(added).get("secret").asText();

        assertThat(api.tokenBasic("rotating-2", firstSecret, null).statusCode()).isEqualTo(200);
        assertThat(api.tokenBasic("rotating-2", secondSecret, null).statusCode()).isEqualTo(200);

        assertThat(api.send("DELETE", "/v1/admin/clients/rotating-2/secrets/" + firstSecretId, admin, null, null)
                .statusCode()).isEqualTo(204);
        // At once, although the first secret's match was remembered in memory (VerifiedSecretMemo) above.
        assertThat(api.tokenBasic("rotating-2", firstSecret, null).statusCode()).isEqualTo(401);
        assertThat(api.tokenBasic("rotating-2", secondSecret, null).statusCode()).isEqualTo(200);
    }

    @Test
    void theApiAcceptsOnlyItsOwnValidTokens() throws Exception {
        String admin = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        assertThat(api.get("/v1/admin/clients", admin).statusCode()).isEqualTo(200);

        HttpResponse<String> missing = api.get("/v1/admin/clients", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));

        String[] parts = admin.split("\\.");
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("test-admin", "test-adminx").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> tampered = api.get("/v1/admin/clients", parts[0] + "." + forgedClaims + "." + parts[2]);
        assertThat(tampered.statusCode()).isEqualTo(401);
        assertThat(api.json(tampered).get("type").asText()).isEqualTo("urn:token-broker:problem:unauthorized");
    }

    @Test
    void aTokenWithoutTheScopeIsForbiddenWithAProblem() throws Exception {
        String backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);

        HttpResponse<String> response = api.get("/v1/admin/clients", backend);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(api.json(response).get("type").asText()).isEqualTo("urn:token-broker:problem:insufficient_scope");
    }

    @Test
    void tokensSignedBeforeAKeyRotationStayValidAndNewOnesUseTheNewKey() throws Exception {
        String before = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        String oldKeyId = SignedJWT.parse(before).getHeader().getKeyID();

        HttpResponse<String> rotated = api.send("POST", "/v1/admin/signing-keys/rotate", before, null, null);
        assertThat(rotated.statusCode()).isEqualTo(200);
        String newKeyId = api.json(rotated).get("activeKeyId").asText();

        String after = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        assertThat(newKeyId).isNotEqualTo(oldKeyId);
        assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isEqualTo(newKeyId);
        assertThat(api.get("/v1/admin/clients", before).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/admin/clients", after).statusCode()).isEqualTo(200);
    }

    @Test
    void neitherSecretsNorPrivateKeysNorIssuedTokensAreStoredInClear() throws Exception {
        String issued = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);

        List<Map<String, Object>> keys = jdbc.queryForList("select public_jwk, wrapped_private_jwk from api_signing_key");
        assertThat(keys).isNotEmpty();
        for (Map<String, Object> key : keys) {
            String wrapped = new String((byte[]) key.get("wrapped_private_jwk"), StandardCharsets.ISO_8859_1);
            assertThat(wrapped).doesNotContain("\"d\"").doesNotContain("\"kty\"");
            assertThat((String) key.get("public_jwk")).doesNotContain("\"d\"");
        }
        String everything = String.join("\n", jdbc.queryForList(
                "select coalesce(string_agg(t::text, E'\\n'), '') from (select * from api_client_secret) t", String.class));
        assertThat(everything).doesNotContain(BrokerApiTest.BACKEND_SECRET).doesNotContain(BrokerApiTest.ADMIN_SECRET);
        assertThat(everything).contains("{bcrypt}");

        String signature = issued.substring(issued.lastIndexOf('.') + 1);
        for (String table : jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = 'public'", String.class)) {
            String rows = jdbc.queryForObject("select coalesce(string_agg(t::text, E'\\n'), '') from " + table + " t",
                    String.class);
            assertThat(rows).as(table).doesNotContain(signature);
        }
    }
}
