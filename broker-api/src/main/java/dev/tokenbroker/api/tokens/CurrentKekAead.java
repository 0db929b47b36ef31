package dev.tokenbroker.api.tokens;

import com.google.crypto.tink.Aead;
import dev.tokenbroker.core.crypto.DataKeyStore;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * The KEK for the broker's other wrapped secrets (API signing keys, connect sessions), always the
 * one the data keys currently use: after a KEK rotation new secrets are wrapped by the new primary
 * key. A local keyset keeps its older keys for decryption until they are disabled, by which time
 * signing keys have been rotated and connect sessions (minutes) have expired.
 */
final class CurrentKekAead implements Aead {

    private final DataKeyStore dataKeys;

    CurrentKekAead(DataKeyStore dataKeys) {
        this.dataKeys = Objects.requireNonNull(dataKeys, "dataKeys");
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        return dataKeys.kek().aead().encrypt(plaintext, associatedData);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return dataKeys.kek().aead().decrypt(ciphertext, associatedData);
    }

    @Override
    public String toString() {
        return "CurrentKekAead[" + dataKeys.kek().id() + "]";
    }
}
