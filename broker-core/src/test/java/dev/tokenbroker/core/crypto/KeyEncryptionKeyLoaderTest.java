package dev.tokenbroker.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyEncryptionKeyLoaderTest {

    private static final byte[] AD = "ad".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path directory;

    private final KeyEncryptionKeyLoader loader = new KeyEncryptionKeyLoader();

    @Test
    void generateIntoCreatesAKeysetOnFirstStartAndReloadsItAfterwards() throws Exception {
        KeyEncryptionKey first = loader.load(KekSettings.generateInto(directory));
        Path file = directory.resolve(KeyEncryptionKeyLoader.GENERATED_KEYSET_FILE);
        assertThat(file).isRegularFile();
        String written = Files.readString(file);
        byte[] wrapped = first.aead().encrypt("data key".getBytes(StandardCharsets.UTF_8), AD);

        KeyEncryptionKey second = loader.load(KekSettings.generateInto(directory));

        assertThat(second.id()).isEqualTo(first.id()).startsWith("local-keyset:");
        assertThat(new String(second.aead().decrypt(wrapped, AD), StandardCharsets.UTF_8)).isEqualTo("data key");
        assertThat(Files.readString(file)).as("not regenerated").isEqualTo(written);
    }

    @Test
    void keysetFileAndBase64OfTheSameKeysetGiveTheSameKek() throws Exception {
        KeyEncryptionKey generated = new LocalKeysetFile(directory.resolve("k.json")).generate();
        byte[] wrapped = generated.aead().encrypt(new byte[] {1, 2, 3}, AD);

        KeyEncryptionKey fromFile = loader.load(KekSettings.keysetFile(directory.resolve("k.json")));
        KeyEncryptionKey fromBase64 = loader.load(KekSettings.keysetBase64(
                Base64.getEncoder().encodeToString(Files.readAllBytes(directory.resolve("k.json")))));

        assertThat(fromFile.aead().decrypt(wrapped, AD)).containsExactly(1, 2, 3);
        assertThat(fromBase64.aead().decrypt(wrapped, AD)).containsExactly(1, 2, 3);
        assertThat(fromBase64.id()).isEqualTo(generated.id());
    }

    @Test
    void missingFileNamesTheSettingAndTheFix() {
        Path missing = directory.resolve("nope.json");
        assertThatThrownBy(() -> loader.load(KekSettings.keysetFile(missing)))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining(KekSettings.KEYSET_FILE)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining(KekSettings.GENERATE_INTO);
    }

    @Test
    void fileThatIsNoKeysetSaysSo() throws Exception {
        Path file = Files.writeString(directory.resolve("bad.json"), "{\"hello\": 1}");
        assertThatThrownBy(() -> loader.load(KekSettings.keysetFile(file)))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining("is not a Tink AEAD keyset");
    }

    @Test
    void badBase64IsReportedWithoutEchoingTheValue() {
        String secretLooking = "c2VjcmV0LWtleS1tYXRlcmlhbA==%%not-base64%%";
        assertThatThrownBy(() -> loader.load(KekSettings.keysetBase64(secretLooking)))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining(KekSettings.KEYSET_BASE64)
                .hasMessageContaining("not valid base64")
                .hasMessageNotContaining("c2VjcmV0")
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }

    @Test
    void validBase64ThatIsNoKeysetIsReportedWithoutEchoingTheValue() {
        String value = Base64.getEncoder().encodeToString("secret-key-material".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> loader.load(KekSettings.keysetBase64(value)))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining("not to a Tink AEAD keyset")
                .hasMessageNotContaining(value)
                .hasMessageNotContaining("secret-key-material");
    }

    @Test
    void hcvaultExplainsItIsNotAvailableAndWhatToUseInstead() {
        assertThatThrownBy(() -> loader.load(KekSettings.keyUri("hcvault://vault.example/transit/keys/broker")))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining(KekSettings.KEY_URI)
                .hasMessageContaining("not published on Maven Central")
                .hasMessageContaining("gcp-kms://")
                .hasMessageContaining("aws-kms://")
                .hasMessageContaining(KekSettings.KEYSET_BASE64);
    }

    @Test
    void unknownKeyUriSchemeIsRefused() {
        assertThatThrownBy(() -> loader.load(KekSettings.keyUri("azure-kv://vault/key")))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining("is not a supported key URI");
    }

    @Test
    void gcpKmsUriWithUnusableCredentialsFileFailsNamingTheSetting() {
        Path credentials = directory.resolve("missing-credentials.json");
        KekSettings settings = new KekSettings("gcp-kms://projects/p/locations/global/keyRings/r/cryptoKeys/k",
                credentials, null, null, null);
        assertThatThrownBy(() -> loader.load(settings))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining(KekSettings.KEY_URI)
                .hasMessageContaining(KekSettings.KMS_CREDENTIALS_FILE);
    }

    @Test
    void noSourceOrTwoSourcesAreRefused() {
        assertThatThrownBy(() -> loader.load(new KekSettings(null, null, null, null, null)))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining("none is set");
        assertThatThrownBy(() -> loader.load(new KekSettings(null, null, directory.resolve("a"), null, directory)))
                .isInstanceOf(KekUnavailableException.class)
                .hasMessageContaining("set now: " + KekSettings.KEYSET_FILE + ", " + KekSettings.GENERATE_INTO);
    }

    @Test
    void settingsToStringRedactsTheBase64Keyset() {
        assertThat(KekSettings.keysetBase64("c2VjcmV0").toString()).doesNotContain("c2VjcmV0").contains("[redacted]");
    }
}
