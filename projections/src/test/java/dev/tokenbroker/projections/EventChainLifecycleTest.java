package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;

import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.projections.chain.ChainLinkJson;
import dev.tokenbroker.projections.chain.ChainVerification;
import dev.tokenbroker.projections.chain.CheckpointJson;
import dev.tokenbroker.projections.chain.CheckpointPolicy;
import dev.tokenbroker.projections.chain.CheckpointSigningKeys;
import dev.tokenbroker.projections.chain.CheckpointVerifier;
import dev.tokenbroker.projections.chain.EventChainVerifier;
import dev.tokenbroker.projections.chain.ExportVerifier;
import dev.tokenbroker.projections.chain.FileCheckpointSink;
import dev.tokenbroker.testsupport.TestDatabase;

/** The chain through the broker's ordinary life, on one and on two instances. */
class EventChainLifecycleTest {

    static final Instant START = Instant.parse("2026-05-02T08:00:00Z");

    @Test
    void anUntouchedStoreVerifiesAfterErasuresKekRotationSigningKeyRotationAndARebuild() throws Exception {
        Path directory = Files.createTempDirectory("event-chain");
        KekRing keks = EventChainHarness.newKekRing("kek-1");
        try (ProjectionsHarness harness = EventChainHarness.start(ProjectionsHarness.freshDatabase("chain-life"), keks,
                directory, EventChainHarness.MANUAL)) {
            // links, refreshes, hand-outs, failures, revocation and erasure (crypto-shredding)
            KafkaPublisherTest.liveALife(harness.story("life-1", "github", START), "life-1", new ArrayList<>());
            EventChainHarness.awaitChained(harness);
            EventChainHarness.sign(harness);
            CheckpointSigningKeys keys = harness.bean(CheckpointSigningKeys.class);
            String firstKid = keys.primaryKeyId();

            // KEK rotation: the keyset is rewrapped under the new KEK; the old one can then go
            keks.addPrimary(EventChainHarness.newKek("kek-2"));
            KafkaPublisherTest.liveALife(harness.story("life-2", "google", START), "life-2", new ArrayList<>());
            EventChainHarness.awaitChained(harness);
            EventChainHarness.sign(harness);
            assertThat(harness.jdbc().queryForObject("SELECT kek_id FROM event_chain_signing_keyset", String.class))
                    .isEqualTo("kek-2");
            keks.disableOlderKeys(keks.primary());

            // signing-key rotation: new checkpoints under the new key, the old key stays in the JWKS
            String secondKid = keys.rotate();
            assertThat(secondKid).isNotEqualTo(firstKid);
            KafkaPublisherTest.liveALife(harness.story("life-3", "github", START), "life-3", new ArrayList<>());
            EventChainHarness.awaitChained(harness);
            EventChainHarness.sign(harness);
            JWKSet jwks = JWKSet.parse(keys.jwks());
            assertThat(jwks.getKeys()).extracting(k -> k.getKeyID()).contains(firstKid, secondKid);
            assertThat(jwks.getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());

            // a read-model rebuild replays the read models, never the chain
            harness.bean(ReadModelRebuild.class).rebuildAll();
            await().atMost(Duration.ofSeconds(30)).until(() -> harness.bean(ReadModelRebuild.class).isCaughtUp());

            ChainVerification result = harness.bean(EventChainVerifier.class).verify(null, null);
            assertThat(result.status()).as(result.toString()).isEqualTo("ok");
            assertThat(result.checkpointsVerified()).isEqualTo(3);
            assertThat(result.unsignedTail()).isZero();
            assertThat(harness.jdbc().queryForObject("SELECT count(*) FROM event_chain", Long.class))
                    .isEqualTo(harness.jdbc().queryForObject("SELECT count(*) FROM domainevententry", Long.class));

            // every checkpoint is a plain ES256 JWS that a JOSE library verifies with the JWKS; the file holds them all
            List<String> checkpointLines = Files.readAllLines(directory.resolve(FileCheckpointSink.FILE_NAME));
            assertThat(checkpointLines).hasSize(3);
            for (String line : checkpointLines) {
                JWSObject jws = JWSObject.parse(CheckpointJson.jwsOf(line));
                ECKey key = (ECKey) jwks.getKeyByKeyId(jws.getHeader().getKeyID());
                assertThat(jws.verify(new ECDSAVerifier(key))).isTrue();
            }
            assertThat(JWSObject.parse(CheckpointJson.jwsOf(checkpointLines.get(2))).getHeader().getKeyID()).isEqualTo(secondKid);

            // and the offline verifier agrees
            ChainVerification offline = new ExportVerifier(CheckpointVerifier.fromJwks(keys.jwks())).verify(
                    EventChainHarness.export(harness).stream().map(ChainLinkJson::toLine).map(ChainLinkJson::read).iterator(),
                    checkpointLines.stream().map(CheckpointJson::jwsOf).toList());
            assertThat(offline.status()).as(offline.toString()).isEqualTo("ok");
        }
    }

    @Test
    void twoInstancesKeepOneChainWithoutGapsOrForks() throws Exception {
        TestDatabase database = ProjectionsHarness.freshDatabase("chain-two");
        KekRing keks = EventChainHarness.newKekRing("kek-1");
        CheckpointPolicy policy = new CheckpointPolicy(25, Duration.ofSeconds(2), Duration.ofMillis(200));
        Path firstDirectory = Files.createTempDirectory("chain-first");
        Path secondDirectory = Files.createTempDirectory("chain-second");
        try (ProjectionsHarness first = EventChainHarness.start(database, keks, firstDirectory, policy);
             ProjectionsHarness second = EventChainHarness.start(database, keks, secondDirectory, policy)) {
            for (int i = 0; i < 16; i++) {
                ProjectionsHarness writer = i % 2 == 0 || i > 8 ? first : second;
                KafkaPublisherTest.liveALife(writer.story("two-" + i, "github", START), "two-" + i, new ArrayList<>());
                if (i == 8) {
                    second.close(); // an instance leaves mid-stream: the other takes over the chain's segment
                }
            }
            EventChainHarness.awaitChained(first);
            long events = first.jdbc().queryForObject("SELECT count(*) FROM domainevententry", Long.class);
            // one chain: indexes 0..n-1, each stored event exactly once
            assertThat(first.jdbc().queryForObject("SELECT count(DISTINCT chain_index) FROM event_chain", Long.class)).isEqualTo(events);
            assertThat(first.jdbc().queryForObject("SELECT max(chain_index) FROM event_chain", Long.class)).isEqualTo(events - 1);
            assertThat(first.jdbc().queryForObject("SELECT count(*) FROM domainevententry d JOIN event_chain c"
                    + " ON c.global_index = d.globalindex AND c.event_identifier = d.eventidentifier", Long.class)).isEqualTo(events);
            // the time policy signs the tail; every checkpoint once, in both instances' directories up to when they left
            await().atMost(Duration.ofSeconds(15)).until(() -> first.jdbc().queryForObject(
                    "SELECT max(chain_index) FROM event_chain_checkpoint", Long.class) == events - 1);
            ChainVerification result = first.bean(EventChainVerifier.class).verify(null, null);
            assertThat(result.status()).as(result.toString()).isEqualTo("ok");
            assertThat(result.unsignedTail()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(firstDirectory.resolve(FileCheckpointSink.FILE_NAME))
                    .size() == first.jdbc().queryForObject("SELECT count(*) FROM event_chain_checkpoint", Integer.class));
        }
    }
}
