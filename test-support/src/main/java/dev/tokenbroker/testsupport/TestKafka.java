package dev.tokenbroker.testsupport;

/** A Kafka broker shared by the tests of one JVM. Tests isolate themselves by topic names. */
public interface TestKafka {

    String bootstrapServers();
}
