package dev.tokenbroker.api.tokens;

import dev.tokenbroker.core.crypto.DataKeyCache;
import dev.tokenbroker.core.crypto.DataKeyStore;
import dev.tokenbroker.core.crypto.KekRotationService;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.KeyEncryptionKeyLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

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
        return new KeyEncryptionKeyLoader().load(KekSettingsFromEnvironment.resolve(environment));
    }

    @Bean
    KekRotationService kekRotationService(DataKeyStore dataKeys, DataKeyCache cache) {
        return new KekRotationService(dataKeys, cache, 500);
    }
}
