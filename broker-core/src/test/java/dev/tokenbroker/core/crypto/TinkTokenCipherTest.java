package dev.tokenbroker.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinkTokenCipherTest {

    @TempDir
    static Path directory;

    private static CryptoFixture crypto;

    private static final TokenValue TOKEN = TokenValue.of("gho_plaintextAccessToken123");

    @BeforeAll
    static void setUp() {
        crypto = new CryptoFixture("cipher", directory);
    }

    private static TokenSetId newTokenSet() {
        return TokenSetId.of("user-" + System.nanoTime(), "github");
    }

    @Test
    void sealThenOpenGivesTheTokenBack() {
        TokenSetId id = newTokenSet();
        SealedToken sealed = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);

        assertThat(crypto.cipher.open(id, sealed)).isEqualTo(TOKEN);
        assertThat(sealed.keyVersion()).isEqualTo(1);
        assertThat(sealed.purpose()).isEqualTo(TokenPurpose.ACCESS);
    }

    @Test
    void sealingTheSameTokenTwiceGivesDifferentCiphertexts() {
        TokenSetId id = newTokenSet();
        SealedToken first = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);
        SealedToken second = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);

        assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
        assertThat(crypto.cipher.open(id, first)).isEqualTo(crypto.cipher.open(id, second));
    }

    @Test
    void everyFlippedCiphertextByteFailsToDecrypt() {
        TokenSetId id = newTokenSet();
        SealedToken sealed = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);
        byte[] original = sealed.ciphertext();

        for (int i = 0; i < original.length; i++) {
            byte[] tampered = original.clone();
            tampered[i] ^= 0x01;
            SealedToken flipped = new SealedToken(tampered, 1, TokenPurpose.ACCESS);
            assertThatThrownBy(() -> crypto.cipher.open(id, flipped))
                    .as("flipped byte %d", i)
                    .isInstanceOf(TokenDecryptionException.class)
                    .hasMessageNotContaining(TOKEN.reveal());
        }
    }

    @Test
    void ciphertextMovedToAnotherTokenSetFailsToDecrypt() {
        TokenSetId owner = newTokenSet();
        TokenSetId other = newTokenSet();
        crypto.cipher.seal(other, TokenPurpose.ACCESS, 1, TokenValue.of("the other set's token"));
        SealedToken sealed = crypto.cipher.seal(owner, TokenPurpose.ACCESS, 1, TOKEN);

        assertThatThrownBy(() -> crypto.cipher.open(other, sealed)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void ciphertextMovedToAnotherPurposeFailsToDecrypt() {
        TokenSetId id = newTokenSet();
        SealedToken refresh = crypto.cipher.seal(id, TokenPurpose.REFRESH, 1, TOKEN);
        SealedToken presentedAsAccess = new SealedToken(refresh.ciphertext(), 1, TokenPurpose.ACCESS);

        assertThatThrownBy(() -> crypto.cipher.open(id, presentedAsAccess)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void ciphertextMovedToAnotherKeyVersionFailsToDecrypt() {
        TokenSetId id = newTokenSet();
        SealedToken version1 = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);
        crypto.cipher.seal(id, TokenPurpose.ACCESS, 2, TOKEN);
        SealedToken presentedAsVersion2 = new SealedToken(version1.ciphertext(), 2, TokenPurpose.ACCESS);

        assertThatThrownBy(() -> crypto.cipher.open(id, presentedAsVersion2)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void ciphertextForAKeyVersionThatNeverExistedFailsToDecrypt() {
        TokenSetId id = newTokenSet();
        SealedToken version1 = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);

        assertThatThrownBy(() -> crypto.cipher.open(id, new SealedToken(version1.ciphertext(), 7, TokenPurpose.ACCESS)))
                .isInstanceOf(TokenDecryptionException.class)
                .hasMessageContaining("No data key");
    }

    @Test
    void wrappedDataKeyMovedToAnotherRowFailsToUnwrap() {
        TokenSetId owner = newTokenSet();
        TokenSetId victim = newTokenSet();
        crypto.cipher.seal(owner, TokenPurpose.ACCESS, 1, TOKEN);
        SealedToken victimToken = crypto.cipher.seal(victim, TokenPurpose.ACCESS, 1, TOKEN);
        new org.springframework.jdbc.core.JdbcTemplate(crypto.dataSource).update(
                "UPDATE token_set_data_key SET wrapped_key = (SELECT wrapped_key FROM token_set_data_key"
                        + " WHERE token_set_id = ? AND key_version = 1) WHERE token_set_id = ? AND key_version = 1",
                owner.value(), victim.value());

        TinkTokenCipher restarted = crypto.restartedCipher(crypto.keks.primary());
        assertThatThrownBy(() -> restarted.open(victim, victimToken))
                .isInstanceOf(TokenDecryptionException.class)
                .hasMessageContaining("could not be unwrapped");
    }

    @Test
    void afterDestroyingDataKeysOpenSaysErasedEvenWithTheKek() {
        TokenSetId id = newTokenSet();
        SealedToken v1 = crypto.cipher.seal(id, TokenPurpose.REFRESH, 1, TOKEN);
        SealedToken v2 = crypto.cipher.seal(id, TokenPurpose.ACCESS, 2, TOKEN);

        assertThat(crypto.cipher.destroyDataKeys(id, 2)).isEqualTo(2);

        assertThatThrownBy(() -> crypto.cipher.open(id, v1)).isInstanceOf(TokenMaterialErasedException.class);
        assertThatThrownBy(() -> crypto.cipher.open(id, v2)).isInstanceOf(TokenMaterialErasedException.class)
                .hasMessageContaining("erased");
        // Another instance with the same KEK and a cold cache finds nothing to unwrap either.
        TinkTokenCipher restarted = crypto.restartedCipher(crypto.keks.primary());
        assertThatThrownBy(() -> restarted.open(id, v2)).isInstanceOf(TokenMaterialErasedException.class);
        assertThat(new org.springframework.jdbc.core.JdbcTemplate(crypto.dataSource).queryForObject(
                "SELECT count(*) FROM token_set_data_key WHERE token_set_id = ?", Long.class, id.value())).isZero();
        // An erased version is never recreated: sealing under it is refused.
        assertThatThrownBy(() -> restarted.seal(id, TokenPurpose.ACCESS, 2, TOKEN))
                .isInstanceOf(TokenMaterialErasedException.class);
        assertThat(crypto.cipher.destroyDataKeys(id, 2)).as("erase is idempotent").isZero();
    }

    @Test
    void relinkAfterEraseGetsANewUsableKeyVersion() {
        TokenSetId id = newTokenSet();
        crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);
        crypto.cipher.destroyDataKeys(id, 1);

        SealedToken v2 = crypto.cipher.seal(id, TokenPurpose.ACCESS, 2, TOKEN);
        assertThat(crypto.cipher.open(id, v2)).isEqualTo(TOKEN);
    }

    @Test
    void hotPathDecryptsWithoutCallingTheKek() {
        TokenSetId id = newTokenSet();
        SealedToken sealed = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);
        crypto.cipher.open(id, sealed);
        int callsAfterWarmUp = crypto.kekCalls.calls();

        for (int i = 0; i < 1_000; i++) {
            crypto.cipher.open(id, sealed);
            crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);
        }

        assertThat(crypto.kekCalls.calls()).isEqualTo(callsAfterWarmUp);
    }

    @Test
    void coldCacheUnwrapsOnceThenServesFromMemory() {
        TokenSetId id = newTokenSet();
        SealedToken sealed = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);
        crypto.cache.invalidate(id);
        int before = crypto.kekCalls.decrypts.get();

        crypto.cipher.open(id, sealed);
        crypto.cipher.open(id, sealed);
        crypto.cipher.open(id, sealed);

        assertThat(crypto.kekCalls.decrypts.get() - before).isEqualTo(1);
    }

    @Test
    void toStringsShowNoKeyOrTokenMaterial() {
        TokenSetId id = newTokenSet();
        SealedToken sealed = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TOKEN);

        assertThat(sealed.toString()).doesNotContain(TOKEN.reveal()).contains("ACCESS");
        assertThat(TOKEN.toString()).isEqualTo("TokenValue[redacted]");
        assertThat(crypto.cipher.toString() + crypto.cache + crypto.keks.primary()).doesNotContain("value");
    }
}
