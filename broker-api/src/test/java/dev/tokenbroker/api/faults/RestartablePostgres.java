package dev.tokenbroker.api.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/** A zonky embedded PostgreSQL that can be stopped and started again on the same port and data directory. */
final class RestartablePostgres implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres server;

    RestartablePostgres(Path dataDirectory) throws IOException {
        this.dataDirectory = dataDirectory;
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        // Kept after close (for a look after the test); a fresh one per run.
        if (java.nio.file.Files.exists(dataDirectory)) {
            try (var paths = java.nio.file.Files.walk(dataDirectory)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        server = builder(false).start();
    }

    private EmbeddedPostgres.Builder builder(boolean clean) {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(clean)
                .setPGStartupWait(java.time.Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200");
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    synchronized void start() throws IOException {
        if (server == null) {
            server = builder(false).start();
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
