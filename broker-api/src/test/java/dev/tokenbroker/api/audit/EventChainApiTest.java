package dev.tokenbroker.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import dev.tokenbroker.projections.chain.ChainLinkJson;
import dev.tokenbroker.projections.chain.ChainVerification;
import dev.tokenbroker.projections.chain.CheckpointJson;
import dev.tokenbroker.projections.chain.CheckpointVerifier;
import dev.tokenbroker.projections.chain.ExportVerifier;

@BrokerApiTest
class EventChainApiTest {

    @LocalServerPort
    int port;

    @Test
    void auditorsVerifyTheChainExportItAndCheckItOfflineWithThePublicKeys() throws Exception {
        ApiClients api = new ApiClients(port);
        String app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        String auditor = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        new DemoLinking(api).link(app, "chain-user", "chain-upstream");

        // the keys are public; verification is for auditors
        HttpResponse<String> keys = api.get("/v1/audit/checkpoint-keys", null);
        assertThat(keys.statusCode()).isEqualTo(200);
        assertThat(JWKSet.parse(keys.body()).getKeys()).isNotEmpty().allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
        assertThat(api.get("/v1/audit/verify", null).statusCode()).isEqualTo(401);
        assertThat(api.get("/v1/audit/verify", backend).statusCode()).isEqualTo(403);
        assertThat(api.get("/v1/audit/verify?from=5&to=1", auditor).statusCode()).isEqualTo(400);

        // a rotation signs the head under the new key; the old key stays published
        HttpResponse<String> rotated = await().atMost(Duration.ofSeconds(10)).until(() -> api.send("POST",
                "/v1/admin/audit/checkpoint-keys/rotate", auditor, null, null),
                r -> r.statusCode() == 200 && r.body().matches("(?s).*\"signedThroughChainIndex\":\\d.*"));
        String kid = api.json(rotated).get("kid").asText();
        JWKSet after = JWKSet.parse(api.get("/v1/audit/checkpoint-keys", null).body());
        assertThat(after.getKeys()).hasSizeGreaterThan(JWKSet.parse(keys.body()).getKeys().size());
        assertThat(after.getKeyByKeyId(kid)).isNotNull();

        HttpResponse<String> verified = api.get("/v1/audit/verify", auditor);
        assertThat(verified.statusCode()).isEqualTo(200);
        JsonNode result = api.json(verified);
        assertThat(result.get("status").asText()).as(verified.body()).isEqualTo("ok");
        assertThat(result.get("eventsVerified").asLong()).isPositive();

        // the export carries no ciphertext: hashes only; the offline verifier accepts it with the public keys
        HttpResponse<String> export = api.get("/v1/audit/chain/export", auditor);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        List<String> checkpoints = api.get("/v1/audit/checkpoints", auditor).body().lines().map(CheckpointJson::jwsOf).toList();
        ChainVerification offline = new ExportVerifier(CheckpointVerifier.fromJwks(after.toString()))
                .verify(export.body().lines().map(ChainLinkJson::read).iterator(), checkpoints);
        assertThat(offline.status()).as(offline.toString()).isEqualTo("ok");
        assertThat(Arrays.stream(export.body().split("\n")).findFirst().orElseThrow()).doesNotContain("\"payload\"");
    }
}
