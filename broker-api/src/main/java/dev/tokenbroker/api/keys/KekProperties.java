package dev.tokenbroker.api.keys;

import dev.tokenbroker.core.crypto.KekSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code broker.crypto.kek.*}: where the key-encryption key comes from. At most one source may be set; with
 * none, the embedded database gets a generated local keyset ({@link #settings}), an external one refuses to
 * start. See {@link KekSettings} for what each setting means.
 *
 * @param keyUri             {@code broker.crypto.kek.key-uri}: a Tink KMS key URI ({@code gcp-kms://}, {@code aws-kms://})
 * @param kmsCredentialsFile {@code broker.crypto.kek.kms-credentials-file}: credentials for the KMS client (optional)
 * @param keysetFile         {@code broker.crypto.kek.keyset-file}: a cleartext Tink keyset (JSON) file
 * @param keysetBase64       {@code broker.crypto.kek.keyset-base64}: the same keyset, base64-encoded
 * @param generateInto       {@code broker.crypto.kek.generate-into}: a directory to generate a local keyset into
 */
@ConfigurationProperties(KekSettings.PREFIX)
public record KekProperties(String keyUri, Path kmsCredentialsFile, Path keysetFile, String keysetBase64, Path generateInto) {

    public KekProperties {
        keyUri = blankToNull(keyUri);
        keysetBase64 = blankToNull(keysetBase64);
        List<String> sources = new ArrayList<>();
        if (keyUri != null) {
            sources.add(KekSettings.KEY_URI);
        }
        if (keysetFile != null) {
            sources.add(KekSettings.KEYSET_FILE);
        }
        if (keysetBase64 != null) {
            sources.add(KekSettings.KEYSET_BASE64);
        }
        if (generateInto != null) {
            sources.add(KekSettings.GENERATE_INTO);
        }
        if (sources.size() > 1) {
            throw new IllegalArgumentException("Set only one of " + KekSettings.KEY_URI + ", " + KekSettings.KEYSET_FILE
                    + ", " + KekSettings.KEYSET_BASE64 + ", " + KekSettings.GENERATE_INTO
                    + " to choose the key-encryption key; set now: " + String.join(", ", sources)
                    + ". Unset all but the one you mean.");
        }
    }

    /**
     * The KEK's source. With nothing set and the embedded database: a local keyset generated next to the
     * database files ({@code <data directory>/../kek}). With nothing set and an external database the
     * settings stay empty, and loading them fails with a message naming the settings.
     */
    public KekSettings settings(boolean embeddedDatabase, Path embeddedDataDirectory) {
        boolean nothingSet = keyUri == null && keysetFile == null && keysetBase64 == null && generateInto == null;
        if (nothingSet && embeddedDatabase) {
            return KekSettings.generateInto(embeddedDataDirectory.toAbsolutePath().normalize().getParent().resolve("kek"));
        }
        return new KekSettings(keyUri == null ? null : keyUri.trim(), kmsCredentialsFile, keysetFile, keysetBase64,
                generateInto);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    // The base64 value is a cleartext key: never print it.
    @Override
    public String toString() {
        return "KekProperties[keyUri=" + keyUri + ", kmsCredentialsFile=" + kmsCredentialsFile + ", keysetFile="
                + keysetFile + ", keysetBase64=" + (keysetBase64 == null ? "null" : "[redacted]") + ", generateInto="
                + generateInto + "]";
    }
}
