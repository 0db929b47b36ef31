package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import java.util.Objects;

/**
 * The key-encryption key (KEK) that wraps every data key: a Tink {@link Aead} backed by a local keyset
 * or a KMS key, plus an id recorded next to each wrapped data key so rotation can tell which data keys
 * are still wrapped by an older KEK.
 *
 * <h2>Security guarantees</h2>
 * Holds no key bytes in a form this class exposes; {@code toString()} shows the id only. The id is a KMS
 * key URI or {@code local-keyset:<primary key id>}: it names a key, it is not key material.
 *
 * @see <a href="https://developers.google.com/tink/key-management-overview">Tink: key management</a>
 */
public final class KeyEncryptionKey {

    private final String id;
    private final Aead aead;

    public KeyEncryptionKey(String id, Aead aead) {
        this.id = Objects.requireNonNull(id, "id");
        this.aead = Objects.requireNonNull(aead, "aead");
    }

    public String id() {
        return id;
    }

    public Aead aead() {
        return aead;
    }

    @Override
    public String toString() {
        return "KeyEncryptionKey[" + id + "]";
    }
}
