package dev.tokenbroker.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KekRotationServiceTest {

    @TempDir
    Path directory;

    @Test
    void rotationRewrapsEveryDataKeyAndTokensStillOpenWithTheNewKeyAlone() {
        CryptoFixture crypto = new CryptoFixture("rotation", directory);
        Map<SealedToken, TokenSetId> sealed = new LinkedHashMap<>();
        for (int i = 0; i < 25; i++) {
            TokenSetId id = TokenSetId.of("user-" + i, "google");
            sealed.put(crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TokenValue.of("access-" + i)), id);
            sealed.put(crypto.cipher.seal(id, TokenPurpose.REFRESH, 2, TokenValue.of("refresh-" + i)), id);
        }
        String oldKekId = crypto.keks.primary().id();
        KekRotationService rotation = new KekRotationService(crypto.keks, crypto.dataKeys, crypto.cache, 7);
        assertThat(rotation.progress().total()).isEqualTo(50);

        KeyEncryptionKey newKek = crypto.keysetFile.addPrimaryKey();
        KekRotation result = rotation.rotateTo(newKek);

        assertThat(newKek.id()).isNotEqualTo(oldKekId);
        assertThat(result.rewrapped()).isEqualTo(50);
        assertThat(result.failed()).isZero();
        assertThat(result.progress()).isEqualTo(new KekRotationProgress(newKek.id(), 50, 50));
        assertThat(result.progress().complete()).isTrue();
        assertThat(rotation.rotateTo(newKek).rewrapped()).as("re-running finds nothing left").isZero();

        // Disable the old key, restart with the keyset as it is on disk now: only the new key is usable.
        KeyEncryptionKey newKeyAlone = crypto.keysetFile.disableNonPrimaryKeys();
        TinkTokenCipher restarted = crypto.restartedCipher(newKeyAlone);
        sealed.forEach((token, id) -> assertThat(restarted.open(id, token).reveal())
                .startsWith(token.purpose() == TokenPurpose.ACCESS ? "access-" : "refresh-"));
    }

    @Test
    void withoutRotationTheOldKeyCannotBeDisabledSafely() {
        CryptoFixture crypto = new CryptoFixture("rotation_needed", directory);
        TokenSetId id = TokenSetId.of("user", "google");
        SealedToken token = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TokenValue.of("access"));

        crypto.keysetFile.addPrimaryKey();
        KeyEncryptionKey newKeyAlone = crypto.keysetFile.disableNonPrimaryKeys();

        // The point of rewrapping: a data key still wrapped by the disabled key is unreadable.
        assertThatThrownBy(() -> crypto.restartedCipher(newKeyAlone).open(id, token))
                .isInstanceOf(TokenDecryptionException.class)
                .hasMessageContaining("could not be unwrapped");
    }

    @Test
    void switchingToAnotherKekRewrapsWithTheOldOneKeptOnlyForUnwrapping() {
        CryptoFixture crypto = new CryptoFixture("rotation_switch", directory);
        TokenSetId id = TokenSetId.of("user", "github");
        SealedToken token = crypto.cipher.seal(id, TokenPurpose.ID, 1, TokenValue.of("id-token"));
        // stands in for moving to a new KMS key URI: a completely separate key
        KeyEncryptionKey otherKek = new LocalKeysetFile(directory.resolve("other.json")).generate();

        KekRotation result = new KekRotationService(crypto.keks, crypto.dataKeys, crypto.cache, 100).rotateTo(otherKek);

        assertThat(result.progress().complete()).isTrue();
        assertThat(crypto.restartedCipher(otherKek).open(id, token).reveal()).isEqualTo("id-token");
    }

    @Test
    void restartedWithTheNewKekBeforeRewrapFinishedStillUnwrapsThroughThePreviousKek() {
        CryptoFixture crypto = new CryptoFixture("rotation_restart", directory);
        TokenSetId id = TokenSetId.of("user", "github");
        SealedToken token = crypto.cipher.seal(id, TokenPurpose.ACCESS, 1, TokenValue.of("access"));
        KeyEncryptionKey oldKek = crypto.keks.primary();
        KeyEncryptionKey newKek = new LocalKeysetFile(directory.resolve("new.json")).generate();

        KekRing restartedKeks = new KekRing(newKek, java.util.List.of(oldKek));
        DataKeyStore restarted = new DataKeyStore(crypto.dataSource, restartedKeks);
        assertThat(new TinkTokenCipher(restarted, DataKeyCache.withDefaults()).open(id, token).reveal()).isEqualTo("access");

        KekRotation result = new KekRotationService(restartedKeks, restarted, DataKeyCache.withDefaults(), 10).rotateTo(newKek);
        assertThat(result.rewrapped()).isEqualTo(1);
        assertThat(crypto.restartedCipher(newKek).open(id, token).reveal()).isEqualTo("access");
    }
}
