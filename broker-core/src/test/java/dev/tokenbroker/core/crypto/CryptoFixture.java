package dev.tokenbroker.core.crypto;

import dev.tokenbroker.testsupport.TestDatabase;
import dev.tokenbroker.testsupport.TestInfrastructure;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/** A migrated database with a local-keyset KEK, and the crypto building blocks as the application wires them. */
final class CryptoFixture {

    final DataSource dataSource;
    final LocalKeysetFile keysetFile;
    final CountingAead kekCalls;
    final KekRing keks;
    final DataKeyStore dataKeys;
    final DataKeyCache cache;
    final TinkTokenCipher cipher;

    CryptoFixture(String databaseHint, Path directory) {
        TestDatabase database = TestInfrastructure.postgres().createDatabase(databaseHint).migrate();
        dataSource = database.dataSource();
        keysetFile = new LocalKeysetFile(directory.resolve("kek.json"));
        KeyEncryptionKey kek = keysetFile.generate();
        kekCalls = new CountingAead(kek.aead());
        keks = new KekRing(new KeyEncryptionKey(kek.id(), kekCalls));
        dataKeys = new DataKeyStore(dataSource, keks);
        cache = new DataKeyCache(1_000, Duration.ofMinutes(10), Clock.systemUTC());
        cipher = new TinkTokenCipher(dataKeys, cache);
    }

    /** A cipher that shares nothing in memory with this one: a fresh cache, as after a restart. */
    TinkTokenCipher restartedCipher(KeyEncryptionKey kek) {
        return new TinkTokenCipher(new DataKeyStore(dataSource, kek), DataKeyCache.withDefaults());
    }
}
