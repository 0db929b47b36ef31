package dev.tokenbroker.api.faults;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One real broker: {@code java -jar broker-api/target/token-broker.jar} with its output in a log file. */
final class BrokerProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "token-broker.jar");

    final String name;
    final int port;
    private final List<String> arguments;
    private final Path log;
    private Process process;

    BrokerProcess(String name, List<String> arguments, Path logDirectory) throws IOException {
        this.name = name;
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        this.arguments = arguments;
        this.log = logDirectory.resolve(name + ".log");
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    void start() throws IOException {
        if (!JAR.toFile().isFile()) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build it first with "
                    + "./mvnw -B package -DskipTests -pl broker-api -am (scripts/fault-suite.sh does)");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", JAR.toAbsolutePath().toString(),
                "--server.port=" + port));
        command.addAll(arguments);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Waits until the health endpoint answers UP; fails at once if the process exits. */
    void awaitUp(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base() + "/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
    }

    /** SIGKILL: no shutdown hooks, no graceful anything. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    File logFile() {
        return log.toFile();
    }
}
