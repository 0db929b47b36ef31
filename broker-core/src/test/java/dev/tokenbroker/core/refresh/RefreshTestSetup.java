package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.crypto.KeyEncryptionKey;
import dev.tokenbroker.core.crypto.LocalKeysetFile;
import dev.tokenbroker.testsupport.TestDatabase;
import dev.tokenbroker.testsupport.TestInfrastructure;
import java.nio.file.Path;
import java.time.Duration;

/** A fresh migrated database, a KEK and an IdP simulation, from which broker instances are started. */
final class RefreshTestSetup implements AutoCloseable {

    final TestDatabase database;
    final KeyEncryptionKey kek;
    final RotatingIdpSimulation idp = new RotatingIdpSimulation();

    RefreshTestSetup(String hint, Path directory) {
        database = TestInfrastructure.postgres().createDatabase(hint).migrate();
        kek = new LocalKeysetFile(directory.resolve("kek.json")).generate();
    }

    /**
     * A broker instance whose connector waits 5 s for the IdP. A client timeout after the IdP processed a refresh
     * loses the rotated token (the in-doubt case), so load tests must not time out merely because the machine is busy.
     */
    BrokerInstance instance(String name, RefreshSettings settings) {
        return instance(name, settings, "5s");
    }

    BrokerInstance instance(String name, RefreshSettings settings, String readTimeout) {
        return new BrokerInstance(name, database.jdbcUrl(), database.username(), database.password(), kek, idp, settings, readTimeout);
    }

    /** Fast settings for tests: short backoff and leases, quick polling. */
    static RefreshSettings fastSettings() {
        return RefreshSettings.defaults()
                .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                .withPolling(50, Duration.ofMillis(100))
                .withLeaseDuration(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        idp.close();
    }
}
