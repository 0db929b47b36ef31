package dev.tokenbroker.api.keys;

import dev.tokenbroker.api.database.EmbeddedPostgresProperties;
import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.core.crypto.KekRotationService;
import dev.tokenbroker.core.crypto.KekSettings;
import dev.tokenbroker.core.crypto.KeyEncryptionKeyLoader;
import java.nio.file.Path;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Loads the key-encryption key from {@code broker.crypto.kek.*} at start-up (start-up fails with a
 * message naming the setting when it cannot be loaded) into the {@link KekRing} that wraps data keys,
 * API signing keys and connect sessions. With the embedded database and no KEK configured, a local
 * keyset is generated into the data directory, with a warning: fine for one box, not for production,
 * where the KEK belongs in a KMS.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KekProperties.class)
class KekConfiguration {

    @Bean
    KekSettings kekSettings(KekProperties properties, Environment environment) {
        boolean embeddedDatabase = !StringUtils.hasText(environment.getProperty("spring.datasource.url"));
        Path dataDirectory = Path.of(environment.getProperty(
                EmbeddedPostgresProperties.DATA_DIRECTORY_PROPERTY, EmbeddedPostgresProperties.DEFAULT_DATA_DIRECTORY));
        return properties.settings(embeddedDatabase, dataDirectory);
    }

    @Bean
    KekRing kekRing(KekSettings settings) {
        return new KekRing(new KeyEncryptionKeyLoader().load(settings));
    }

    @Bean
    KekRotationService kekRotationService(KekRing keks, DataKeyStore dataKeys, DataKeyCache cache) {
        return new KekRotationService(keks, dataKeys, cache, 500);
    }
}
