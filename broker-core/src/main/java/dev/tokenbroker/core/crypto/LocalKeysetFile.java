package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * A local key-encryption key: a cleartext Tink {@code AES256_GCM} keyset in a JSON file. Used by the embedded
 * default and by operators who supply their own keyset; also where local KEK rotation happens
 * ({@link #addPrimaryKey}, then {@link #disableNonPrimaryKeys} once every data key is rewrapped).
 *
 * <h2>Security guarantees</h2>
 * The file holds the KEK in clear (access to it is made greppable through {@link InsecureSecretKeyAccess}); it is
 * written owner-read/write only where the file system supports POSIX permissions, and replaced atomically so a
 * crash never leaves a half-written key. Whoever reads this file and the database can decrypt every token that
 * is not erased: prefer a KMS key URI in production.
 *
 * @see <a href="https://developers.google.com/tink/generate-plaintext-keyset">Tink: plaintext keysets</a>
 * @see <a href="https://developers.google.com/tink/key-rotation">Tink: key rotation</a>
 */
public final class LocalKeysetFile {

    static {
        TinkRegistration.ensureRegistered();
    }

    private final Path file;

    public LocalKeysetFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.isRegularFile(file);
    }

    /** Generates a new one-key keyset and writes it; refuses to overwrite an existing file. */
    public KeyEncryptionKey generate() {
        if (Files.exists(file)) {
            throw new IllegalStateException("Refusing to overwrite the existing KEK keyset " + file);
        }
        try {
            KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            write(keyset);
            return keyEncryptionKey(keyset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not generate a KEK keyset", e);
        }
    }

    public KeyEncryptionKey load() {
        return keyEncryptionKey(read());
    }

    /** Adds a new primary key; the older keys stay enabled, so data keys they wrapped still unwrap until rewrapped. */
    public KeyEncryptionKey addPrimaryKey() {
        try {
            KeysetHandle rotated = KeysetHandle.newBuilder(read())
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                            .withRandomId().makePrimary())
                    .build();
            write(rotated);
            return keyEncryptionKey(rotated);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not add a primary key to the KEK keyset " + file, e);
        }
    }

    /**
     * Disables every key but the primary. Call only after rotation reports every data key rewrapped
     * ({@link KekRotationProgress#complete()}): data keys still wrapped by a disabled key no longer unwrap.
     */
    public KeyEncryptionKey disableNonPrimaryKeys() {
        try {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(read());
            for (int i = 0; i < builder.size(); i++) {
                if (!builder.getAt(i).isPrimary()) {
                    builder.getAt(i).setStatus(KeyStatus.DISABLED);
                }
            }
            KeysetHandle retired = builder.build();
            write(retired);
            return keyEncryptionKey(retired);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not disable old keys of the KEK keyset " + file, e);
        }
    }

    /** The KEK of a keyset given in memory (e.g. decoded from base64). */
    static KeyEncryptionKey keyEncryptionKey(KeysetHandle keyset) {
        try {
            Aead aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
            return new KeyEncryptionKey("local-keyset:" + Integer.toUnsignedString(keyset.getPrimary().getId()), aead);
        } catch (GeneralSecurityException e) {
            throw new KekUnavailableException("The KEK keyset is not an AEAD keyset (expected AES256_GCM keys)", e);
        }
    }

    private KeysetHandle read() {
        try {
            return TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(file, StandardCharsets.UTF_8),
                    InsecureSecretKeyAccess.get());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the KEK keyset " + file, e);
        } catch (GeneralSecurityException e) {
            throw new KekUnavailableException("The file " + file + " is not a Tink keyset in JSON format", e);
        }
    }

    private void write(KeysetHandle keyset) throws GeneralSecurityException {
        String json = TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
        try {
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, ".kek-", ".tmp");
            try {
                ownerOnly(temporary);
                Files.writeString(temporary, json, StandardCharsets.UTF_8);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the KEK keyset " + file, e);
        }
    }

    private static void ownerOnly(Path path) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): rely on the directory's ACLs
        }
    }

    @Override
    public String toString() {
        return "LocalKeysetFile[" + file + "]";
    }
}
