package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.integration.awskms.AwsKmsClient;
import com.google.crypto.tink.integration.gcpkms.GcpKmsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the key-encryption key from {@link KekSettings} at start-up, and proves it works with one
 * encrypt/decrypt round trip, so a wrong key, a missing file or missing KMS permissions stop the start
 * with a message naming the setting and the fix instead of failing on the first token.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>KMS clients are constructed explicitly for the one configured URI ({@link GcpKmsClient},
 *       {@link AwsKmsClient}); nothing is registered in or discovered through Tink's global {@code KmsClients}
 *       (classpath discovery is deprecated in Tink because an injected client could capture keys).</li>
 *   <li>Error messages name settings, paths and key URIs, never key material: a base64 keyset is never echoed.</li>
 * </ul>
 *
 * @see <a href="https://developers.google.com/tink/key-management-overview">Tink: key management</a>
 * @see <a href="https://developers.google.com/tink/client-side-encryption">Tink: envelope encryption with a KMS</a>
 */
public final class KeyEncryptionKeyLoader {

    /** File name of the generated keyset inside {@link KekSettings#generateInto()}. */
    public static final String GENERATED_KEYSET_FILE = "kek-keyset.json";

    private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKeyLoader.class);
    private static final byte[] PROBE_ASSOCIATED_DATA = "tokenbroker:kek-probe:v1".getBytes(StandardCharsets.UTF_8);

    static {
        TinkRegistration.ensureRegistered();
    }

    public KeyEncryptionKey load(KekSettings settings) {
        Objects.requireNonNull(settings, "settings");
        List<String> given = new ArrayList<>();
        if (present(settings.keyUri())) {
            given.add(KekSettings.KEY_URI);
        }
        if (settings.keysetFile() != null) {
            given.add(KekSettings.KEYSET_FILE);
        }
        if (present(settings.keysetBase64())) {
            given.add(KekSettings.KEYSET_BASE64);
        }
        if (settings.generateInto() != null) {
            given.add(KekSettings.GENERATE_INTO);
        }
        if (given.size() != 1) {
            throw new KekUnavailableException("Set exactly one of " + KekSettings.KEY_URI + ", " + KekSettings.KEYSET_FILE
                    + ", " + KekSettings.KEYSET_BASE64 + ", " + KekSettings.GENERATE_INTO + " to choose the key-encryption key"
                    + (given.isEmpty() ? "; none is set" : "; set now: " + String.join(", ", given)));
        }
        KeyEncryptionKey kek;
        if (present(settings.keyUri())) {
            kek = fromKms(settings.keyUri().trim(), settings.kmsCredentialsFile());
        } else if (settings.keysetFile() != null) {
            kek = fromFile(settings.keysetFile());
        } else if (present(settings.keysetBase64())) {
            kek = fromBase64(settings.keysetBase64().trim());
        } else {
            kek = generatedInto(settings.generateInto());
        }
        return probed(kek);
    }

    private KeyEncryptionKey fromKms(String keyUri, Path credentialsFile) {
        String lower = keyUri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("hcvault://")) {
            throw new KekUnavailableException(KekSettings.KEY_URI + "=" + keyUri + ": hcvault:// needs Tink's HashiCorp Vault"
                    + " integration (tink-java-hcvault), which is not published on Maven Central and is not part of this build."
                    + " Use gcp-kms:// or aws-kms://, or keep the KEK as a Tink keyset in Vault's KV store and pass it through "
                    + KekSettings.KEYSET_BASE64 + " (e.g. from an environment variable rendered by Vault Agent).");
        }
        KmsClient client;
        String settingHint;
        if (lower.startsWith(GcpKmsClient.PREFIX)) {
            client = new GcpKmsClient(keyUri);
            settingHint = "Check the key URI (gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K), the credentials"
                    + " (" + KekSettings.KMS_CREDENTIALS_FILE + " or Application Default Credentials) and the"
                    + " cloudkms.cryptoKeyVersions.useToEncrypt/useToDecrypt permissions.";
        } else if (lower.startsWith(AwsKmsClient.PREFIX)) {
            client = new AwsKmsClient(keyUri);
            settingHint = "Check the key URI (aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID), the credentials ("
                    + KekSettings.KMS_CREDENTIALS_FILE + " or the default AWS credential chain) and the kms:Encrypt/kms:Decrypt"
                    + " permissions.";
        } else {
            throw new KekUnavailableException(KekSettings.KEY_URI + "=" + keyUri + " is not a supported key URI."
                    + " Use gcp-kms://... or aws-kms://..., or a local keyset (" + KekSettings.KEYSET_FILE + ").");
        }
        try {
            KmsClient configured = credentialsFile == null
                    ? client.withDefaultCredentials()
                    : client.withCredentials(credentialsFile.toString());
            return new KeyEncryptionKey(keyUri, configured.getAead(keyUri));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KekUnavailableException(KekSettings.KEY_URI + "=" + keyUri + ": could not set up the KMS client. "
                    + settingHint, e);
        }
    }

    private KeyEncryptionKey fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KekUnavailableException(KekSettings.KEYSET_FILE + "=" + file + ": no such file. Point it at a Tink"
                    + " keyset in JSON format, or unset it and set " + KekSettings.GENERATE_INTO + " to have one generated.");
        }
        if (!Files.isReadable(file)) {
            throw new KekUnavailableException(KekSettings.KEYSET_FILE + "=" + file + ": not readable by this process."
                    + " Fix the file's permissions.");
        }
        try {
            return new LocalKeysetFile(file).load();
        } catch (KekUnavailableException e) {
            throw new KekUnavailableException(KekSettings.KEYSET_FILE + "=" + file + " is not a Tink AEAD keyset in JSON"
                    + " format (generate one with Tinkey: tinkey create-keyset --key-template AES256_GCM).", e);
        }
    }

    private KeyEncryptionKey fromBase64(String value) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(value.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            // The cause would quote the offending character; drop it, the value is a key.
            throw new KekUnavailableException(KekSettings.KEYSET_BASE64 + " is not valid base64 (the value is not shown)."
                    + " Set it to the base64 of a Tink keyset in JSON or binary format.");
        }
        try {
            KeysetHandle keyset = decoded.length > 0 && decoded[0] == '{'
                    ? TinkJsonProtoKeysetFormat.parseKeyset(new String(decoded, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get())
                    : TinkProtoKeysetFormat.parseKeyset(decoded, InsecureSecretKeyAccess.get());
            return LocalKeysetFile.keyEncryptionKey(keyset);
        } catch (GeneralSecurityException | KekUnavailableException e) {
            throw new KekUnavailableException(KekSettings.KEYSET_BASE64 + " decodes, but not to a Tink AEAD keyset"
                    + " (the value is not shown). Set it to the base64 of a keyset made by: tinkey create-keyset"
                    + " --key-template AES256_GCM.");
        }
    }

    private KeyEncryptionKey generatedInto(Path directory) {
        LocalKeysetFile keyset = new LocalKeysetFile(directory.resolve(GENERATED_KEYSET_FILE));
        if (keyset.exists()) {
            log.info("Using the local key-encryption key generated earlier at {}", keyset.file());
            return fromFile(keyset.file());
        }
        KeyEncryptionKey kek;
        try {
            kek = keyset.generate();
        } catch (RuntimeException e) {
            throw new KekUnavailableException(KekSettings.GENERATE_INTO + "=" + directory + ": could not create a KEK keyset"
                    + " there. Make the directory writable, or configure " + KekSettings.KEY_URI + " or "
                    + KekSettings.KEYSET_FILE + ".", e);
        }
        log.warn("Generated a new local key-encryption key at {}. It is stored UNENCRYPTED: anyone who can read this file"
                + " and the database can decrypt every stored token. Back it up (losing it makes all stored tokens"
                + " unrecoverable) and use a KMS ({}=gcp-kms://... or aws-kms://...) for anything beyond trying out the broker.",
                keyset.file(), KekSettings.KEY_URI);
        return kek;
    }

    private static KeyEncryptionKey probed(KeyEncryptionKey kek) {
        try {
            Aead aead = kek.aead();
            byte[] probe = "probe".getBytes(StandardCharsets.UTF_8);
            aead.decrypt(aead.encrypt(probe, PROBE_ASSOCIATED_DATA), PROBE_ASSOCIATED_DATA);
            return kek;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KekUnavailableException("The key-encryption key " + kek.id() + " was loaded but cannot encrypt and"
                    + " decrypt (" + e.getClass().getSimpleName() + "). Check the key's state and this process's"
                    + " permissions to use it.", e);
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
