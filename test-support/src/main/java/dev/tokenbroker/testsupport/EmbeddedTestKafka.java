package dev.tokenbroker.testsupport;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** spring-kafka-test's embedded KRaft broker: a real Kafka broker inside the test JVM. */
final class EmbeddedTestKafka implements TestKafka {

    /** The system property the embedded brokers announce their address in: one nobody reads by accident. */
    static final String BROKER_LIST_PROPERTY = "broker.test.embedded-kafka.brokers";

    private final EmbeddedKafkaKraftBroker broker;

    private EmbeddedTestKafka(EmbeddedKafkaKraftBroker broker) {
        this.broker = broker;
    }

    static EmbeddedTestKafka start() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        // Otherwise it publishes its address as the JVM-wide spring.kafka.bootstrap-servers, and every later
        // application in the JVM — test contexts without Kafka, second instances — would publish to it.
        broker.brokerListProperty(BROKER_LIST_PROPERTY);
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "embedded-kafka-stop"));
        return new EmbeddedTestKafka(broker);
    }

    @Override
    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }
}
