package dev.tokenbroker.api;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import java.security.GeneralSecurityException;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Interim: a per-context KEK until the broker-core KEK loader is wired into the application. */
@TestConfiguration(proxyBeanMethods = false)
class TestKeyEncryptionKey {

    @Bean
    KeyEncryptionKey keyEncryptionKey() throws GeneralSecurityException {
        AeadConfig.register();
        KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        return new KeyEncryptionKey("test-keyset", keyset.getPrimitive(Aead.class));
    }
}
