package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.projections.chain.ChainLink;
import dev.tokenbroker.projections.chain.ChainLinkJson;
import dev.tokenbroker.projections.chain.CheckpointJson;
import dev.tokenbroker.projections.chain.VerifyExportCommand;
import dev.tokenbroker.projections.chain.ChainVerification;
import dev.tokenbroker.projections.chain.EventChainEncoding;
import dev.tokenbroker.projections.chain.EventChainVerifier;
import dev.tokenbroker.projections.chain.FileCheckpointSink;

/**
 * Each way of tampering with the stored history is found, at the position of the first bad event.
 * 33 events (3 token-set lives of 11); checkpoints at chain index 10 and 21; chain indexes 22..32 unsigned.
 * Every test tampers, verifies, and the store is put back afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventChainTamperingTest {

    static final Instant START = Instant.parse("2026-05-01T08:00:00Z");
    static final String[] TABLES = {"domainevententry", "event_chain", "event_chain_checkpoint"};

    Path directory;
    ProjectionsHarness harness;
    byte[] checkpointFile;

    @BeforeAll
    void liveThreeLives() throws Exception {
        directory = Files.createTempDirectory("event-chain");
        KekRing keks = EventChainHarness.newKekRing("kek-1");
        harness = EventChainHarness.start(ProjectionsHarness.freshDatabase("chain-tamper"), keks, directory,
                EventChainHarness.MANUAL);
        for (int i = 0; i < 3; i++) {
            KafkaPublisherTest.liveALife(harness.story("tamper-" + i, "github", START), "tamper-" + i, new ArrayList<>());
            EventChainHarness.awaitChained(harness);
            if (i < 2) {
                EventChainHarness.sign(harness);
            }
        }
        assertThat(harness.jdbc().queryForList("SELECT chain_index FROM event_chain_checkpoint ORDER BY 1", Long.class))
                .containsExactly(10L, 21L);
        for (String table : TABLES) {
            harness.jdbc().execute("CREATE TABLE backup_" + table + " AS SELECT * FROM " + table);
        }
        checkpointFile = Files.readAllBytes(file());
        exportLines = EventChainHarness.export(harness).stream().map(ChainLinkJson::toLine).toList();
        jwks = harness.bean(dev.tokenbroker.projections.chain.CheckpointSigningKeys.class).jwks();
    }

    List<String> exportLines;
    String jwks;

    @AfterEach
    void restore() throws Exception {
        for (String table : TABLES) {
            harness.jdbc().execute("DELETE FROM " + table);
            harness.jdbc().execute("INSERT INTO " + table + " SELECT * FROM backup_" + table);
        }
        Files.write(file(), checkpointFile);
        assertThat(verify().status()).isEqualTo("ok");
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    Path file() {
        return directory.resolve(FileCheckpointSink.FILE_NAME);
    }

    ChainVerification verify() {
        return harness.bean(EventChainVerifier.class).verify(null, null);
    }

    long at(long chainIndex) {
        return EventChainHarness.positionAt(harness, chainIndex);
    }

    void sql(String statement, Object... args) {
        harness.jdbc().update(statement, args);
    }

    static void assertBroken(ChainVerification result, String reason, long position) {
        assertThat(result.status()).as(result.toString()).isEqualTo("broken");
        assertThat(result.reason()).as(result.toString()).isEqualTo(reason);
        assertThat(result.position()).as(result.toString()).isEqualTo(position);
    }

    @Test
    void anUntouchedStoreVerifiesWithItsUnsignedTailReported() {
        ChainVerification result = verify();
        assertThat(result.status()).isEqualTo("ok");
        assertThat(result.eventsVerified()).isEqualTo(33);
        assertThat(result.checkpointsVerified()).isEqualTo(2);
        assertThat(result.signedThroughChainIndex()).isEqualTo(21);
        assertThat(result.unsignedTail()).isEqualTo(11);
    }

    @Test
    void aFlippedPayloadByte() {
        sql("UPDATE domainevententry SET payload = set_byte(payload, 5, get_byte(payload, 5) # 1) WHERE globalindex = ?", at(4));
        assertBroken(verify(), "changed", at(4));
    }

    @Test
    void aChangedTimestamp() {
        sql("UPDATE domainevententry SET timestamp = '2020-01-01T00:00:00Z' WHERE globalindex = ?", at(14));
        assertBroken(verify(), "changed", at(14));
    }

    @Test
    void aDeletedEventInTheMiddle() {
        sql("DELETE FROM domainevententry WHERE globalindex = ?", at(12));
        assertBroken(verify(), "missing", at(12));
    }

    @Test
    void aDeletedEventWithItsChainLink() {
        long next = at(13);
        sql("DELETE FROM domainevententry WHERE globalindex = ?", at(12));
        sql("DELETE FROM event_chain WHERE chain_index = 12");
        ChainVerification result = verify();
        assertBroken(result, "missing", next);
        assertThat(result.chainIndex()).isEqualTo(12);
    }

    @Test
    void aDeletedTailAfterTheLastCheckpointIsTheUnsignedWindowOnly() {
        sql("DELETE FROM domainevententry WHERE globalindex IN (SELECT global_index FROM event_chain WHERE chain_index >= 25)");
        assertBroken(verify(), "missing", at(25)); // the events, not their links: found exactly
        sql("DELETE FROM event_chain WHERE chain_index >= 25");
        // events and links both gone after the last checkpoint: by design undetectable (at most N events / T seconds)
        ChainVerification result = verify();
        assertThat(result.status()).isEqualTo("ok");
        assertThat(result.unsignedTail()).isEqualTo(3);
    }

    @Test
    void aDeletedTailBeforeTheLastCheckpoint() {
        long checkpointPosition = at(21);
        sql("DELETE FROM domainevententry WHERE globalindex IN (SELECT global_index FROM event_chain WHERE chain_index >= 15)");
        sql("DELETE FROM event_chain WHERE chain_index >= 15");
        ChainVerification result = verify();
        assertBroken(result, "missing", checkpointPosition);
        assertThat(result.chainIndex()).isEqualTo(15);
        // the checkpoints deleted from the database too: the file copy still knows
        sql("DELETE FROM event_chain_checkpoint");
        assertBroken(verify(), "missing", checkpointPosition);
    }

    @Test
    void twoEventsSwapped() {
        long a = at(3);
        long b = at(6);
        sql("UPDATE domainevententry SET globalindex = -1 WHERE globalindex = ?", a);
        sql("UPDATE domainevententry SET globalindex = ? WHERE globalindex = ?", a, b);
        sql("UPDATE domainevententry SET globalindex = ? WHERE globalindex = -1", b);
        assertBroken(verify(), "reordered", a);
    }

    @Test
    void anInsertedEvent() {
        sql("INSERT INTO domainevententry (globalindex, aggregateidentifier, sequencenumber, type, eventidentifier, metadata,"
                + " payload, payloadrevision, payloadtype, timestamp) SELECT 0, aggregateidentifier, 99, type, 'forged-event',"
                + " metadata, payload, payloadrevision, payloadtype, timestamp FROM domainevententry WHERE globalindex = ?", at(5));
        assertBroken(verify(), "inserted", 0);
    }

    @Test
    void aChainRecomputedWithoutTheSigningKeyIsCaughtByTheCheckpoints() {
        sql("UPDATE domainevententry SET payload = set_byte(payload, 5, get_byte(payload, 5) # 1) WHERE globalindex = ?", at(14));
        recomputeChainFrom(14);
        ChainVerification result = verify();
        // the stored digests agree with the rows; the checkpoint at 21 does not: the tampering lies in 11..21
        assertBroken(result, "changed", at(11));
        assertThat(result.chainIndex()).isEqualTo(21);
        // and deleting the checkpoints from the database does not help: the file holds them
        sql("DELETE FROM event_chain_checkpoint");
        assertBroken(verify(), "changed", at(11));
    }

    @Test
    void anAlteredCheckpoint() {
        String jws = harness.jdbc().queryForObject("SELECT jws FROM event_chain_checkpoint WHERE chain_index = 10", String.class);
        String[] parts = jws.split("\\.");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]));
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.replace("\"count\":11", "\"count\":12").getBytes()) + "." + parts[2];
        sql("UPDATE event_chain_checkpoint SET jws = ? WHERE chain_index = 10", forged);
        ChainVerification result = verify();
        assertBroken(result, "bad_checkpoint", at(10));
    }

    // ---- the offline verifier: files only, no database, no network ----

    ChainVerification offline(List<String> lines, List<String> checkpointLines) throws Exception {
        Path dir = Files.createTempDirectory("offline");
        Files.write(dir.resolve("chain.ndjson"), lines);
        Files.write(dir.resolve("checkpoints.ndjson"), checkpointLines);
        Files.writeString(dir.resolve("keys.json"), jwks);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int exit = VerifyExportCommand.run(new String[]{"verify-export", "--export", dir.resolve("chain.ndjson").toString(),
                "--checkpoints", dir.resolve("checkpoints.ndjson").toString(), "--jwks", dir.resolve("keys.json").toString()},
                new java.io.PrintStream(out), System.err);
        ChainVerification result = new com.fasterxml.jackson.databind.ObjectMapper().readValue(out.toByteArray(),
                ChainVerification.class);
        assertThat(exit).isEqualTo(result.ok() ? 0 : 1);
        return result;
    }

    List<String> checkpointLines() throws Exception {
        return Files.readAllLines(file());
    }

    List<String> lines() {
        return new ArrayList<>(exportLines);
    }

    static String edit(String line, java.util.function.UnaryOperator<ChainLink> change) {
        return ChainLinkJson.toLine(change.apply(ChainLinkJson.read(line)));
    }

    static ChainLink withTimestamp(ChainLink l, String timestamp) {
        return new ChainLink(l.position(), l.chainIndex(), l.eventId(), l.aggregateId(), l.sequenceNumber(), l.type(),
                l.payloadType(), l.payloadRevision(), timestamp, l.payloadSha256(), l.metadataSha256(), l.digest());
    }

    static ChainLink withPayloadHash(ChainLink l, byte[] hash) {
        return new ChainLink(l.position(), l.chainIndex(), l.eventId(), l.aggregateId(), l.sequenceNumber(), l.type(),
                l.payloadType(), l.payloadRevision(), l.timestamp(), hash, l.metadataSha256(), l.digest());
    }

    long positionOfLine(List<String> lines, int index) {
        return ChainLinkJson.read(lines.get(index)).position();
    }

    @Test
    void theOfflineVerifierAcceptsTheGenuineExport() throws Exception {
        ChainVerification result = offline(lines(), checkpointLines());
        assertThat(result.status()).as(result.toString()).isEqualTo("ok");
        assertThat(result.eventsVerified()).isEqualTo(33);
        assertThat(result.signedThroughChainIndex()).isEqualTo(21);
        assertThat(result.unsignedTail()).isEqualTo(11);
    }

    @Test
    void theOfflineVerifierRejectsEachTamperedExport() throws Exception {
        List<String> cps = checkpointLines();
        List<String> lines = lines();
        lines.set(4, edit(lines.get(4), l -> withPayloadHash(l, new byte[32])));
        assertBroken(offline(lines, cps), "changed", positionOfLine(lines, 4));

        lines = lines();
        lines.set(14, edit(lines.get(14), l -> withTimestamp(l, "2020-01-01T00:00:00Z")));
        assertBroken(offline(lines, cps), "changed", positionOfLine(lines, 14));

        lines = lines();
        long next = positionOfLine(lines, 13);
        lines.remove(12);
        assertBroken(offline(lines, cps), "missing", next);

        lines = lines();
        long checkpointPosition = positionOfLine(lines, 21);
        List<String> truncatedBefore = lines.subList(0, 15);
        assertBroken(offline(truncatedBefore, cps), "missing", checkpointPosition);
        ChainVerification truncatedAfter = offline(lines.subList(0, 25), cps);
        assertThat(truncatedAfter.status()).isEqualTo("ok");   // the unsigned window, by design
        assertThat(truncatedAfter.unsignedTail()).isEqualTo(3);

        lines = lines();
        java.util.Collections.swap(lines, 3, 6);
        assertBroken(offline(lines, cps), "reordered", positionOfLine(lines, 3));

        lines = lines();
        String forged = edit(lines.get(5), l -> new ChainLink(l.position(), l.chainIndex(), "forged", l.aggregateId(),
                99, l.type(), l.payloadType(), l.payloadRevision(), l.timestamp(), l.payloadSha256(), l.metadataSha256(), l.digest()));
        lines.add(5, forged);
        assertBroken(offline(lines, cps), "inserted", positionOfLine(lines, 5));

        // recomputed by someone without the signing key: caught by the checkpoint at 21
        lines = lines();
        lines.set(14, edit(lines.get(14), l -> withTimestamp(l, "2020-01-01T00:00:00Z")));
        byte[] previous = ChainLinkJson.read(lines.get(13)).digest();
        for (int i = 14; i < lines.size(); i++) {
            ChainLink link = ChainLinkJson.read(lines.get(i));
            previous = EventChainEncoding.next(previous, link);
            lines.set(i, ChainLinkJson.toLine(link.withChain(link.chainIndex(), previous)));
        }
        ChainVerification recomputed = offline(lines, cps);
        assertBroken(recomputed, "changed", positionOfLine(lines, 11));
        assertThat(recomputed.chainIndex()).isEqualTo(21);

        // an altered checkpoint
        List<String> altered = new ArrayList<>(cps);
        String jws = CheckpointJson.jwsOf(altered.get(0));
        altered.set(0, jws.substring(0, jws.length() - 4) + (jws.endsWith("AAAA") ? "BBBB" : "AAAA"));
        assertBroken(offline(lines(), altered), "bad_checkpoint", positionOfLine(lines(), 10));
    }

    /** What an attacker with database access but without the signing key can do: rehash from a link on. */
    void recomputeChainFrom(long chainIndex) {
        List<ChainLink> links = new ArrayList<>();
        harness.bean(dev.tokenbroker.projections.chain.EventChainRepository.class).walk(chainIndex, Long.MAX_VALUE,
                link -> links.add(link.stored()));
        byte[] previous = harness.jdbc().queryForObject("SELECT digest FROM event_chain WHERE chain_index = ?", byte[].class,
                chainIndex - 1);
        long index = chainIndex;
        for (ChainLink link : links) {
            previous = EventChainEncoding.next(previous, link);
            sql("UPDATE event_chain SET digest = ? WHERE chain_index = ?", previous, index++);
        }
    }
}
