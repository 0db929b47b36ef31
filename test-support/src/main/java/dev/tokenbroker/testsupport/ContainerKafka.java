package dev.tokenbroker.testsupport;

import org.testcontainers.kafka.KafkaContainer;

/** Kafka (KRaft, {@code apache/kafka}) in a container, used where a Docker engine is reachable. */
final class ContainerKafka implements TestKafka {

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM exits
    static ContainerKafka start() {
        KafkaContainer container = new KafkaContainer("apache/kafka:3.9.1");
        container.start();
        return new ContainerKafka(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }
}
