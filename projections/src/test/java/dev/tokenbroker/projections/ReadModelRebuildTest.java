package dev.tokenbroker.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;

/** Both read models rebuilt from the first event give the same rows; the history holds no token material. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadModelRebuildTest {

    private static final Instant T0 = Instant.parse("2026-04-01T09:00:00Z");
    private static final String VIEW_ORDER = "token_set_id";
    private static final String HISTORY_ORDER = "token_set_id, sequence_number";

    private ProjectionsHarness harness;
    private final List<TokenSetStory> stories = new ArrayList<>();
    private final List<String> plaintexts = new ArrayList<>();

    @BeforeAll
    void publishEveryKindOfHistory() {
        harness = ProjectionsHarness.start("rebuild");
        for (int i = 0; i < 5; i++) {
            stories.add(harness.story("user-" + i, "google", T0)
                    .link(secret("access-a", i), secret("refresh-a", i), T0.plusSeconds(3600), Set.of("email", "openid"))
                    .refresh(secret("access-b", i), null, T0.plusSeconds(7200))
                    .handOut("backend-" + i)
                    .refresh(secret("access-c", i), secret("refresh-c", i), T0.plusSeconds(10800))
                    .failTransiently("temporarily_unavailable", T0.plusSeconds(11000)));
            stories.add(harness.story("user-" + i, "github", T0)
                    .link(secret("gho-a", i), secret("ghr-a", i), T0.plusSeconds(28800), Set.of("repo"))
                    .failPermanently("invalid_grant")
                    .link(secret("gho-b", i), null, T0.plusSeconds(28800), Set.of("repo", "gist"))
                    .revoke(UpstreamRevocationOutcome.REVOKED)
                    .erase());
        }
        stories.forEach(harness::awaitApplied);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void rebuildAfterResetGivesIdenticalRows() {
        List<String> viewBefore = harness.dump("token_set_view", VIEW_ORDER);
        List<String> historyBefore = harness.dump("token_set_history", HISTORY_ORDER);
        assertThat(viewBefore).hasSize(stories.size());
        // a row no event explains: the reset must remove it, proving the rows come from the events alone
        harness.jdbc().update("UPDATE token_set_view SET upstream_display_name = 'tampered'");
        harness.jdbc().update("DELETE FROM token_set_history WHERE sequence_number = 0");

        ReadModelRebuild rebuild = harness.bean(ReadModelRebuild.class);
        rebuild.rebuildAll();
        await().atMost(Duration.ofSeconds(30)).until(rebuild::isCaughtUp);

        assertThat(harness.dump("token_set_view", VIEW_ORDER)).isEqualTo(viewBefore);
        assertThat(harness.dump("token_set_history", HISTORY_ORDER)).isEqualTo(historyBefore);
    }

    @Test
    void eachReadModelHasItsOwnPooledStreamingProcessorWithTokensInTheJdbcTokenStore() {
        Configuration axon = harness.bean(Configuration.class);
        for (String group : ReadModelRebuild.PROCESSING_GROUPS) {
            assertThat(axon.eventProcessingConfiguration().eventProcessor(group))
                    .containsInstanceOf(PooledStreamingEventProcessor.class);
            assertThat(harness.jdbc().queryForObject("SELECT count(*) FROM tokenentry WHERE processorname = ?",
                    Integer.class, group)).isEqualTo(ProjectionProcessors.INITIAL_SEGMENT_COUNT);
        }
        assertThat(harness.bean(ReadModelRebuild.class).isCaughtUp()).isTrue();
    }

    @Test
    void historyHoldsMetadataButNoTokenMaterial() {
        List<String> history = harness.dump("token_set_history", HISTORY_ORDER);
        assertThat(history).hasSize(stories.stream().mapToInt(s -> (int) s.lastSequenceNumber() + 1).sum());
        assertThat(harness.jdbc().queryForList("SELECT data_type FROM information_schema.columns"
                + " WHERE table_name = 'token_set_history'", String.class)).doesNotContain("bytea");

        String all = String.join("\n", history);
        assertThat(all).contains("temporarily_unavailable", "invalid_grant", "backend-0", "REVOKED", "ERASED");
        for (String plaintext : plaintexts) {
            assertThat(all).doesNotContain(plaintext);
        }
        for (byte[] ciphertext : ciphertextsInTheEventStore()) {
            assertThat(all).doesNotContain(HexFormat.of().formatHex(ciphertext))
                    .doesNotContain(Base64.getEncoder().encodeToString(ciphertext));
        }
    }

    @Test
    void viewHoldsNoPlaintextTokens() {
        String all = String.join("\n", harness.dump("token_set_view", VIEW_ORDER));
        for (String plaintext : plaintexts) {
            assertThat(all).doesNotContain(plaintext);
            assertThat(all).doesNotContain(HexFormat.of().formatHex(plaintext.getBytes()));
        }
    }

    private List<byte[]> ciphertextsInTheEventStore() {
        List<byte[]> ciphertexts = new ArrayList<>();
        for (TokenSetStory story : stories) {
            harness.eventStore().readEvents(story.tokenSetId().toString()).asStream()
                    .map(message -> message.getPayload())
                    .flatMap(payload -> payload instanceof TokenSetLinked linked
                            ? Stream.of(linked.accessToken(), linked.refreshToken(), linked.idToken())
                            : payload instanceof TokenSetRefreshed refreshed
                            ? Stream.of(refreshed.accessToken(), refreshed.refreshToken(), refreshed.idToken())
                            : Stream.<SealedToken>empty())
                    .filter(sealed -> sealed != null)
                    .forEach(sealed -> ciphertexts.add(sealed.ciphertext()));
        }
        assertThat(ciphertexts).hasSizeGreaterThan(40);
        return ciphertexts;
    }

    private String secret(String prefix, int i) {
        String value = prefix + "-" + i + "-plaintext-token-value";
        plaintexts.add(value);
        return value;
    }
}
