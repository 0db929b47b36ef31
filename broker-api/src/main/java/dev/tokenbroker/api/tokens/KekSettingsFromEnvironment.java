package dev.tokenbroker.api.tokens;

import dev.tokenbroker.api.database.EmbeddedPostgresProperties;
import dev.tokenbroker.core.crypto.KekSettings;
import dev.tokenbroker.core.crypto.KeyEncryptionKeyLoader;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * {@code broker.crypto.kek.*} as {@link KekSettings}. With the embedded database and nothing
 * configured, a local keyset generated next to the database files ({@code data/kek/}).
 */
public final class KekSettingsFromEnvironment {

    private KekSettingsFromEnvironment() {
    }

    public static KekSettings resolve(Environment environment) {
        KekSettings settings = new KekSettings(
                environment.getProperty(KekSettings.KEY_URI),
                path(environment.getProperty(KekSettings.KMS_CREDENTIALS_FILE)),
                path(environment.getProperty(KekSettings.KEYSET_FILE)),
                environment.getProperty(KekSettings.KEYSET_BASE64),
                path(environment.getProperty(KekSettings.GENERATE_INTO)));
        boolean nothingConfigured = !StringUtils.hasText(settings.keyUri()) && settings.keysetFile() == null
                && !StringUtils.hasText(settings.keysetBase64()) && settings.generateInto() == null;
        boolean embeddedDatabase = !StringUtils.hasText(environment.getProperty("spring.datasource.url"));
        if (nothingConfigured && embeddedDatabase) {
            Path dataDirectory = Path.of(environment.getProperty(
                    EmbeddedPostgresProperties.DATA_DIRECTORY_PROPERTY, EmbeddedPostgresProperties.DEFAULT_DATA_DIRECTORY));
            return KekSettings.generateInto(dataDirectory.toAbsolutePath().normalize().getParent().resolve("kek"));
        }
        return settings;
    }

    /** The local keyset file behind the KEK, when it is one (not for a KMS or a base64 value). */
    public static Optional<Path> localKeysetFile(Environment environment) {
        KekSettings settings = resolve(environment);
        if (settings.keysetFile() != null) {
            return Optional.of(settings.keysetFile());
        }
        return Optional.ofNullable(settings.generateInto())
                .map(directory -> directory.resolve(KeyEncryptionKeyLoader.GENERATED_KEYSET_FILE));
    }

    private static Path path(String value) {
        return StringUtils.hasText(value) ? Path.of(value.trim()) : null;
    }
}
