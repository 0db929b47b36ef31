package dev.tokenbroker.core.crypto;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the key-encryption key: adds a new primary to the {@link KekRing}, then rewraps every data key of
 * the {@link DataKeyStore} in batches. Events are never rewritten: they hold ciphertext under data keys, and data keys do not
 * change, only their wrapping. Once {@link #progress()} is complete the old KEK key can be disabled
 * ({@link LocalKeysetFile#disableNonPrimaryKeys()}, or disabling the old KMS key version).
 *
 * <p>Safe to run on several instances at once and to re-run: each row is rewrapped with a guard on the KEK id
 * it was read with, so concurrent rewraps and erases win without conflict.
 *
 * <h2>Security guarantees</h2>
 * Data keys are unwrapped in memory only long enough to wrap them again; nothing is logged but data-key ids.
 *
 * @see <a href="https://developers.google.com/tink/key-rotation">Tink: key rotation</a>
 */
public final class KekRotationService {

    private static final Logger log = LoggerFactory.getLogger(KekRotationService.class);

    private final KekRing keks;
    private final DataKeyStore dataKeys;
    private final DataKeyCache cache;
    private final int batchSize;
    private final AtomicLong rewrappedInCurrentRun = new AtomicLong();

    /** {@code dataKeys} must use the same {@code keks}. */
    public KekRotationService(KekRing keks, DataKeyStore dataKeys, DataKeyCache cache, int batchSize) {
        this.keks = Objects.requireNonNull(keks, "keks");
        this.dataKeys = Objects.requireNonNull(dataKeys, "dataKeys");
        this.cache = Objects.requireNonNull(cache, "cache");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        this.batchSize = batchSize;
    }

    /**
     * Makes {@code newKek} the wrapping key and rewraps every data key still wrapped by another one. For a local
     * keyset pass the result of {@link LocalKeysetFile#addPrimaryKey()}; for a KMS pass the new key URI's KEK
     * (the old one stays available for unwrapping until this run completes).
     */
    public KekRotation rotateTo(KeyEncryptionKey newKek) {
        Objects.requireNonNull(newKek, "newKek");
        long started = System.nanoTime();
        keks.addPrimary(newKek);
        rewrappedInCurrentRun.set(0);
        long skipped = 0;
        long failed = 0;
        DataKeyId after = null;
        while (true) {
            List<DataKeyStore.WrappedDataKey> batch = dataKeys.findNotWrappedBy(newKek.id(), after, batchSize);
            if (batch.isEmpty()) {
                break;
            }
            for (DataKeyStore.WrappedDataKey key : batch) {
                try {
                    if (dataKeys.rewrap(key)) {
                        rewrappedInCurrentRun.incrementAndGet();
                    } else {
                        skipped++;
                    }
                    // The cached unwrapped key is still valid, but drop it so nothing outlives its old wrapping.
                    cache.invalidate(key.id());
                } catch (TokenDecryptionException | KekUnavailableException e) {
                    failed++;
                    log.error("KEK rotation to {}: data key {} could not be rewrapped: {}", newKek.id(), key.id(), e.getMessage());
                }
            }
            after = batch.get(batch.size() - 1).id();
        }
        KekRotationProgress progress = progress();
        KekRotation rotation = new KekRotation(newKek.id(), rewrappedInCurrentRun.get(), skipped, failed,
                Duration.ofNanos(System.nanoTime() - started), progress);
        log.info("KEK rotation to {}: {} rewrapped, {} skipped, {} failed; {} of {} data keys now wrapped by it",
                newKek.id(), rotation.rewrapped(), skipped, failed, progress.wrappedByKek(), progress.total());
        return rotation;
    }

    /** Progress towards the current KEK, from the database. */
    public KekRotationProgress progress() {
        String kekId = keks.primary().id();
        return new KekRotationProgress(kekId, dataKeys.count(), dataKeys.countWrappedBy(kekId));
    }

    /** Data keys rewrapped so far by the run in progress (or the last run) on this instance. */
    public long rewrappedInCurrentRun() {
        return rewrappedInCurrentRun.get();
    }
}
