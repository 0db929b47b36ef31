package dev.tokenbroker.testsupport;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** spring-kafka-test's embedded KRaft broker: a real Kafka broker inside the test JVM. */
final class EmbeddedTestKafka implements TestKafka {

    private final EmbeddedKafkaKraftBroker broker;

    private EmbeddedTestKafka(EmbeddedKafkaKraftBroker broker) {
        this.broker = broker;
    }

    static EmbeddedTestKafka start() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "embedded-kafka-stop"));
        return new EmbeddedTestKafka(broker);
    }

    @Override
    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }
}
