package dev.tokenbroker.projections;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.TinkRegistration;
import dev.tokenbroker.projections.chain.ChainLink;
import dev.tokenbroker.projections.chain.CheckpointPolicy;
import dev.tokenbroker.projections.chain.CheckpointSigner;
import dev.tokenbroker.projections.chain.EventChainConfiguration;
import dev.tokenbroker.projections.chain.EventChainSettings;
import dev.tokenbroker.projections.chain.EventChainVerifier;
import dev.tokenbroker.testsupport.TestDatabase;

/** A broker instance with the event chain on a test database; checkpoints only when asked ({@link #sign()}). */
final class EventChainHarness {

    /** Signs only when a test asks: the policy's thresholds are out of reach. */
    static final CheckpointPolicy MANUAL = new CheckpointPolicy(1_000_000, Duration.ofHours(1), Duration.ofHours(1));

    /** Signs only when asked, but copies to the sinks every 200 ms (the signer's tick). */
    static final CheckpointPolicy MANUAL_SIGNING_FAST_COPIES =
            new CheckpointPolicy(1_000_000, Duration.ofHours(1), Duration.ofMillis(200));

    private EventChainHarness() {
    }

    static ProjectionsHarness start(TestDatabase database, KekRing keks, Path directory, CheckpointPolicy policy) {
        return start(database, keks, directory, policy, 100);
    }

    static ProjectionsHarness start(TestDatabase database, KekRing keks, Path directory, CheckpointPolicy policy,
                                    int batchSize) {
        return ProjectionsHarness.startOn(database, context -> {
            context.registerBean(KekRing.class, () -> keks);
            context.registerBean(EventChainSettings.class, () -> new EventChainSettings(policy, directory, batchSize));
        }, EventChainConfiguration.class);
    }

    static KekRing newKekRing(String id) {
        return new KekRing(newKek(id));
    }

    static KeyEncryptionKey newKek(String id) {
        TinkRegistration.ensureRegistered();
        try {
            return new KeyEncryptionKey(id, KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM).getPrimitive(Aead.class));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the chain holds every stored event. */
    static void awaitChained(ProjectionsHarness harness) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                harness.jdbc().queryForObject("SELECT count(*) FROM domainevententry", Long.class)
                        .equals(harness.jdbc().queryForObject("SELECT count(*) FROM event_chain", Long.class)));
    }

    static long sign(ProjectionsHarness harness) {
        return harness.bean(CheckpointSigner.class).signNow();
    }

    /** The position of the event at a chain index. */
    static long positionAt(ProjectionsHarness harness, long chainIndex) {
        return harness.jdbc().queryForObject("SELECT global_index FROM event_chain WHERE chain_index = ?", Long.class, chainIndex);
    }

    static List<ChainLink> export(ProjectionsHarness harness) {
        List<ChainLink> links = new ArrayList<>();
        harness.bean(EventChainVerifier.class).export(null, null, links::add);
        return links;
    }
}
