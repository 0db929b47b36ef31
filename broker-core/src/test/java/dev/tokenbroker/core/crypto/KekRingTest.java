package dev.tokenbroker.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KekRingTest {

    private static final byte[] SECRET = "signing-key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONTEXT = "tokenbroker:test".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path directory;

    @Test
    void wrapsWithThePrimaryKekOnly() throws GeneralSecurityException {
        KeyEncryptionKey older = generated("older.json");
        KeyEncryptionKey primary = generated("primary.json");
        KekRing ring = new KekRing(primary, List.of(older));

        byte[] wrapped = ring.aead().encrypt(SECRET, CONTEXT);

        assertThat(ring.primary()).isSameAs(primary);
        assertThat(primary.aead().decrypt(wrapped, CONTEXT)).isEqualTo(SECRET);
        assertThatThrownBy(() -> older.aead().decrypt(wrapped, CONTEXT)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void unwrapsWithAnOlderEnabledKek() throws GeneralSecurityException {
        KeyEncryptionKey older = generated("older.json");
        byte[] wrappedByOlder = older.aead().encrypt(SECRET, CONTEXT);
        KekRing ring = new KekRing(generated("primary.json"), List.of(older));

        assertThat(ring.aead().decrypt(wrappedByOlder, CONTEXT)).isEqualTo(SECRET);
        assertThat(ring.enabled(older.id())).contains(older);
        assertThat(ring.allEnabled()).extracting(KeyEncryptionKey::id).containsExactly(ring.primary().id(), older.id());
    }

    @Test
    void aDisabledKekCannotUnwrap() throws GeneralSecurityException {
        KeyEncryptionKey older = generated("older.json");
        byte[] wrappedByOlder = older.aead().encrypt(SECRET, CONTEXT);
        KeyEncryptionKey primary = generated("primary.json");
        KekRing ring = new KekRing(primary, List.of(older));

        ring.disableOlderKeys(primary);

        assertThat(ring.enabled(older.id())).isEmpty();
        assertThat(ring.allEnabled()).containsExactly(primary);
        assertThatThrownBy(() -> ring.aead().decrypt(wrappedByOlder, CONTEXT))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageNotContaining(older.id());
    }

    @Test
    void aDisabledKeyOfALocalKeysetCannotUnwrap() throws GeneralSecurityException {
        LocalKeysetFile keyset = new LocalKeysetFile(directory.resolve("kek.json"));
        KekRing ring = new KekRing(keyset.generate());
        byte[] wrappedByFirstKey = ring.aead().encrypt(SECRET, CONTEXT);
        ring.addPrimary(keyset.addPrimaryKey());
        assertThat(ring.aead().decrypt(wrappedByFirstKey, CONTEXT)).as("the old key is still enabled").isEqualTo(SECRET);

        ring.disableOlderKeys(keyset.disableNonPrimaryKeys());

        assertThatThrownBy(() -> ring.aead().decrypt(wrappedByFirstKey, CONTEXT))
                .isInstanceOf(GeneralSecurityException.class);
        assertThat(ring.aead().decrypt(ring.aead().encrypt(SECRET, CONTEXT), CONTEXT)).isEqualTo(SECRET);
    }

    @Test
    void rotationAddsAPrimaryAndKeepsThePreviousOneForUnwrapping() throws GeneralSecurityException {
        KeyEncryptionKey first = generated("first.json");
        KekRing ring = new KekRing(first);
        Aead aead = ring.aead();
        byte[] wrappedByFirst = aead.encrypt(SECRET, CONTEXT);
        KeyEncryptionKey second = generated("second.json");

        ring.addPrimary(second);

        assertThat(ring.primary()).isSameAs(second);
        assertThat(ring.enabled(first.id())).contains(first);
        assertThat(second.aead().decrypt(aead.encrypt(SECRET, CONTEXT), CONTEXT))
                .as("an Aead taken before the rotation wraps with the new primary").isEqualTo(SECRET);
        assertThat(aead.decrypt(wrappedByFirst, CONTEXT)).isEqualTo(SECRET);
    }

    @Test
    void disablingOlderKeysNeedsTheCurrentPrimary() {
        KekRing ring = new KekRing(generated("primary.json"));
        KeyEncryptionKey other = generated("other.json");

        assertThatThrownBy(() -> ring.disableOlderKeys(other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not the primary KEK");
        assertThat(ring.toString()).contains(ring.primary().id());
    }

    private KeyEncryptionKey generated(String file) {
        return new LocalKeysetFile(directory.resolve(file)).generate();
    }
}
