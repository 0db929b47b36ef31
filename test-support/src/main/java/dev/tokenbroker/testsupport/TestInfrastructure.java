package dev.tokenbroker.testsupport;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * The one switch point that decides where tests get their real PostgreSQL and Kafka from.
 *
 * <p>{@code -Dbroker.test.infra=containers} uses Testcontainers (PostgreSQL 17, {@code apache/kafka});
 * {@code embedded} uses zonky's embedded PostgreSQL binaries and spring-kafka-test's embedded KRaft
 * broker; {@code auto} (the default) picks containers when a Docker engine answers, embedded otherwise.
 * Each server is started at most once per test JVM, on first use, and shared by all test classes;
 * isolation comes from a fresh database per test context ({@link TestPostgres#createDatabase}).
 */
public final class TestInfrastructure {

    public static final String MODE_PROPERTY = "broker.test.infra";

    private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);

    public enum Mode { EMBEDDED, CONTAINERS }

    private static volatile Mode mode;
    private static volatile TestPostgres postgres;
    private static volatile TestKafka kafka;

    private TestInfrastructure() {
    }

    public static Mode mode() {
        Mode current = mode;
        if (current == null) {
            synchronized (TestInfrastructure.class) {
                if (mode == null) {
                    mode = decideMode(System.getProperty(MODE_PROPERTY, "auto"));
                    log.info("Test infrastructure: {} (set -D{}=embedded|containers to force one)", mode, MODE_PROPERTY);
                }
                current = mode;
            }
        }
        return current;
    }

    static Mode decideMode(String requested) {
        String value = requested == null || requested.isBlank() ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "embedded" -> Mode.EMBEDDED;
            case "containers" -> Mode.CONTAINERS;
            case "auto" -> dockerAvailable() ? Mode.CONTAINERS : Mode.EMBEDDED;
            default -> throw new IllegalArgumentException(
                    MODE_PROPERTY + "=" + requested + " is not one of auto, embedded, containers");
        };
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** The shared PostgreSQL server of this JVM, started on first call. */
    public static TestPostgres postgres() {
        TestPostgres current = postgres;
        if (current == null) {
            synchronized (TestInfrastructure.class) {
                if (postgres == null) {
                    postgres = mode() == Mode.CONTAINERS ? ContainerPostgres.start() : EmbeddedTestPostgres.start();
                }
                current = postgres;
            }
        }
        return current;
    }

    /** The shared Kafka broker of this JVM, started on first call. */
    public static TestKafka kafka() {
        TestKafka current = kafka;
        if (current == null) {
            synchronized (TestInfrastructure.class) {
                if (kafka == null) {
                    kafka = mode() == Mode.CONTAINERS ? ContainerKafka.start() : EmbeddedTestKafka.start();
                }
                current = kafka;
            }
        }
        return current;
    }
}
