package dev.tokenbroker.api.tokens;

import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KekRotationService;
import dev.tokenbroker.core.crypto.KekSettings;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.KeyEncryptionKeyLoader;
import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Loads the key-encryption key from {@code broker.crypto.kek.*} at start-up (start-up fails with a
 * message naming the setting when it cannot be loaded). With the embedded database and no KEK
 * configured, a local keyset is generated into the data directory, with a warning: fine for one
 * box, not for production, where the KEK belongs in a KMS.
 */
@Configuration(proxyBeanMethods = false)
class KekConfiguration {

    @Bean
    KeyEncryptionKey keyEncryptionKey(Environment environment) {
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
            Path dataDirectory = Path.of(environment.getProperty("broker.embedded-postgres.data-directory", "data/postgres"));
            Path parent = dataDirectory.toAbsolutePath().normalize().getParent();
            settings = KekSettings.generateInto(parent.resolve("kek"));
        }
        return new KeyEncryptionKeyLoader().load(settings);
    }

    @Bean
    KekRotationService kekRotationService(DataKeyStore dataKeys, DataKeyCache cache) {
        return new KekRotationService(dataKeys, cache, 500);
    }

    private static Path path(String value) {
        return StringUtils.hasText(value) ? Path.of(value.trim()) : null;
    }
}
