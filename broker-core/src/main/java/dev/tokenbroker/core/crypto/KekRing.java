package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The key-encryption keys this instance can use: one primary KEK that wraps every new and rewrapped secret
 * (data keys, API signing keys, connect sessions), and the older KEKs that are still enabled, which only
 * unwrap what they wrapped until rotation has rewrapped it. Rotation {@linkplain #addPrimary adds a primary};
 * once every data key is rewrapped the older keys are {@linkplain #disableOlderKeys disabled}.
 *
 * <p>A local keyset is one KEK whose Tink keyset holds several keys: after {@link LocalKeysetFile#addPrimaryKey()}
 * the new primary KEK still decrypts what the older keys in the same keyset encrypted. A KMS key URI is one KEK
 * per URI: moving to a new URI keeps the old one here for unwrapping.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>New ciphertexts are always made by the primary KEK; an older KEK never wraps anything.</li>
 *   <li>A disabled KEK is gone from the ring: nothing wrapped only by it unwraps on this instance any more.</li>
 *   <li>Holds no key bytes it exposes; {@code toString()} shows KEK ids only.</li>
 * </ul>
 * Thread-safe: rotation may switch the primary while other threads wrap and unwrap.
 *
 * @see <a href="https://developers.google.com/tink/key-rotation">Tink: key rotation</a>
 */
public final class KekRing {

    static {
        TinkRegistration.ensureRegistered();
    }

    private KeyEncryptionKey primary;
    // Older KEKs still enabled, by id, oldest first.
    private final Map<String, KeyEncryptionKey> older = new LinkedHashMap<>();

    public KekRing(KeyEncryptionKey primary) {
        this(primary, List.of());
    }

    /**
     * With the KEKs of an unfinished rotation (e.g. the previous KMS key URI after a restart with the new one),
     * used only to unwrap what they wrapped.
     */
    public KekRing(KeyEncryptionKey primary, List<KeyEncryptionKey> olderEnabled) {
        this.primary = Objects.requireNonNull(primary, "primary");
        for (KeyEncryptionKey kek : olderEnabled) {
            if (!kek.id().equals(primary.id())) {
                older.put(kek.id(), kek);
            }
        }
    }

    /** The KEK that wraps new and rewrapped secrets. */
    public synchronized KeyEncryptionKey primary() {
        return primary;
    }

    /** The enabled KEK with this id (the primary or an older one), or empty when it is unknown or disabled. */
    public synchronized Optional<KeyEncryptionKey> enabled(String kekId) {
        Objects.requireNonNull(kekId, "kekId");
        return primary.id().equals(kekId) ? Optional.of(primary) : Optional.ofNullable(older.get(kekId));
    }

    /** Every enabled KEK, the primary first. */
    public synchronized List<KeyEncryptionKey> allEnabled() {
        List<KeyEncryptionKey> all = new ArrayList<>(older.size() + 1);
        all.add(primary);
        all.addAll(older.values());
        return List.copyOf(all);
    }

    /**
     * Makes {@code next} the primary; the current primary stays enabled to unwrap what it wrapped. (A rotated
     * local keyset still holds the old key, so it unwraps those too.)
     */
    public synchronized void addPrimary(KeyEncryptionKey next) {
        Objects.requireNonNull(next, "next");
        if (!primary.id().equals(next.id())) {
            older.put(primary.id(), primary);
        }
        older.remove(next.id());
        primary = next;
    }

    /**
     * Disables every older KEK, and takes {@code primaryAlone} (the same primary, e.g. a local keyset after
     * {@link LocalKeysetFile#disableNonPrimaryKeys()}) as the primary. Call only once rotation reports every data
     * key rewrapped: what only an older key wrapped no longer unwraps.
     *
     * @throws IllegalArgumentException when {@code primaryAlone} is not the current primary
     */
    public synchronized void disableOlderKeys(KeyEncryptionKey primaryAlone) {
        Objects.requireNonNull(primaryAlone, "primaryAlone");
        if (!primaryAlone.id().equals(primary.id())) {
            throw new IllegalArgumentException("KEK " + primaryAlone.id() + " is not the primary KEK " + primary.id()
                    + ": rotate to it first");
        }
        older.clear();
        primary = primaryAlone;
    }

    /**
     * The ring as a plain Tink {@link Aead}, for secrets stored without a KEK id (API signing keys, connect
     * sessions): encrypts with the primary KEK, decrypts with the primary and then each older enabled KEK.
     */
    public Aead aead() {
        return new RingAead();
    }

    @Override
    public synchronized String toString() {
        return "KekRing[primary=" + primary.id() + ", olderEnabled=" + older.keySet() + "]";
    }

    private final class RingAead implements Aead {

        @Override
        public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
            return primary().aead().encrypt(plaintext, associatedData);
        }

        @Override
        public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
            GeneralSecurityException failure = null;
            for (KeyEncryptionKey kek : allEnabled()) {
                try {
                    return kek.aead().decrypt(ciphertext, associatedData);
                } catch (GeneralSecurityException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
            // Deliberately vague, as Tink's own messages: which keys were tried is not the caller's business.
            throw new GeneralSecurityException("decryption failed with every enabled key-encryption key", failure);
        }

        @Override
        public String toString() {
            return "KekRing.aead[" + primary().id() + "]";
        }
    }
}
