package dev.tokenbroker.api.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A zonky embedded PostgreSQL that can be stopped and started again on the same port and data directory, or paused
 * ({@code SIGSTOP} of the postmaster and every backend: connections stay open, nothing answers) and resumed.
 */
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

    synchronized void pause() throws IOException, InterruptedException {
        signalAll("-STOP");
    }

    synchronized void resume() throws IOException, InterruptedException {
        signalAll("-CONT");
    }

    /**
     * The postmaster (first line of {@code postmaster.pid}) first, so that it forks no backend the signal misses,
     * then every descendant; one that exited meanwhile is skipped.
     */
    private void signalAll(String signal) throws IOException, InterruptedException {
        long postmaster = Long.parseLong(java.nio.file.Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
        String failure = kill(signal, List.of(postmaster));
        if (failure != null) {
            throw new IOException("kill " + signal + " " + postmaster + " failed: " + failure);
        }
        List<Long> children = new ArrayList<>();
        ProcessHandle.of(postmaster).ifPresent(handle -> handle.descendants().forEach(child -> children.add(child.pid())));
        if (!children.isEmpty()) {
            kill(signal, children);
        }
    }

    /** @return null, or what {@code kill} printed when it failed */
    private static String kill(String signal, List<Long> pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes());
        return kill.waitFor() == 0 ? null : output;
    }

    @Override
    public void close() throws IOException {
        try {
            resume(); // a paused server would not stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // not running
        }
        stop();
    }
}
