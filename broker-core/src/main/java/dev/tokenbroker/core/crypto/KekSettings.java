package dev.tokenbroker.core.crypto;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the key-encryption key comes from. Exactly one of {@code keyUri}, {@code keysetFile},
 * {@code keysetBase64} and {@code generateInto} must be set. Setting names (for messages and for the Spring
 * binding in broker-api) are under {@value #PREFIX}.
 *
 * @param keyUri             {@code broker.crypto.kek.key-uri}: a Tink KMS key URI, {@code gcp-kms://projects/.../cryptoKeys/...}
 *                           or {@code aws-kms://arn:aws:kms:...}; {@code hcvault://} is recognized but not available
 * @param kmsCredentialsFile {@code broker.crypto.kek.kms-credentials-file}: optional credentials file for the KMS
 *                           client; without it the provider's default credentials are used
 * @param keysetFile         {@code broker.crypto.kek.keyset-file}: a cleartext Tink keyset (JSON) file
 * @param keysetBase64       {@code broker.crypto.kek.keyset-base64}: a cleartext Tink keyset, base64 of its JSON or
 *                           binary form (e.g. from a secret manager through an environment variable)
 * @param generateInto       {@code broker.crypto.kek.generate-into}: a directory; a local keyset is generated there
 *                           on first start (embedded default, with a warning) and reused afterwards
 */
public record KekSettings(String keyUri, Path kmsCredentialsFile, Path keysetFile, String keysetBase64, Path generateInto) {

    public static final String PREFIX = "broker.crypto.kek";
    public static final String KEY_URI = PREFIX + ".key-uri";
    public static final String KMS_CREDENTIALS_FILE = PREFIX + ".kms-credentials-file";
    public static final String KEYSET_FILE = PREFIX + ".keyset-file";
    public static final String KEYSET_BASE64 = PREFIX + ".keyset-base64";
    public static final String GENERATE_INTO = PREFIX + ".generate-into";

    public static KekSettings keyUri(String keyUri) {
        return new KekSettings(keyUri, null, null, null, null);
    }

    public static KekSettings keysetFile(Path keysetFile) {
        return new KekSettings(null, null, keysetFile, null, null);
    }

    public static KekSettings keysetBase64(String keysetBase64) {
        return new KekSettings(null, null, null, keysetBase64, null);
    }

    public static KekSettings generateInto(Path directory) {
        return new KekSettings(null, null, null, null, directory);
    }

    /** The local keyset file behind the KEK, when it is one (not for a KMS or a base64 value). */
    public Optional<Path> localKeysetFile() {
        if (keysetFile != null) {
            return Optional.of(keysetFile);
        }
        return Optional.ofNullable(generateInto).map(directory -> directory.resolve(KeyEncryptionKeyLoader.GENERATED_KEYSET_FILE));
    }

    // The base64 value is a cleartext key: never print it.
    @Override
    public String toString() {
        return "KekSettings[keyUri=" + keyUri + ", kmsCredentialsFile=" + kmsCredentialsFile + ", keysetFile=" + keysetFile
                + ", keysetBase64=" + (keysetBase64 == null ? "null" : "[redacted]") + ", generateInto=" + generateInto + "]";
    }
}
