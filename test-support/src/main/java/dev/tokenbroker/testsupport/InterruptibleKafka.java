package dev.tokenbroker.testsupport;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A dedicated embedded KRaft broker (not the shared {@link TestInfrastructure#kafka()}) that clients
 * reach only through a {@link TcpForwarder}: the broker advertises the forwarder's port, so after
 * bootstrapping every client connection goes through it. {@link #stop()} makes the broker unreachable
 * for every client (existing connections are closed, new ones refused) and {@link #start()} makes it
 * reachable again on the same address, with its logs, topics and producer state intact — an outage
 * as clients see it, without the cost and the cluster-id change of a broker restart.
 *
 * <p>One per test class that needs it; close it after the last client.
 */
public final class InterruptibleKafka implements AutoCloseable {

    private final EmbeddedKafkaKraftBroker broker;
    private final TcpForwarder forwarder;

    private InterruptibleKafka(EmbeddedKafkaKraftBroker broker, TcpForwarder forwarder) {
        this.broker = broker;
        this.forwarder = forwarder;
    }

    public static InterruptibleKafka launch() {
        TcpForwarder forwarder = TcpForwarder.onFreePort();
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        // not the JVM-wide spring.kafka.bootstrap-servers (see EmbeddedTestKafka)
        broker.brokerListProperty(EmbeddedTestKafka.BROKER_LIST_PROPERTY);
        // clients learn this address from the metadata: everything goes through the forwarder
        broker.brokerProperty("advertised.listeners", "EXTERNAL://localhost:" + forwarder.port());
        try {
            broker.afterPropertiesSet();
        } catch (RuntimeException e) {
            forwarder.close();
            throw e;
        }
        String direct = broker.getBrokersAsString();
        forwarder.forwardTo(Integer.parseInt(direct.substring(direct.lastIndexOf(':') + 1)));
        return new InterruptibleKafka(broker, forwarder);
    }

    /** Through the forwarder. */
    public String bootstrapServers() {
        return "localhost:" + forwarder.port();
    }

    /** The outage begins: every connection is closed, new ones are refused. */
    public void stop() {
        forwarder.cut();
    }

    /** The outage ends: the broker is reachable again on the same address. */
    public void start() {
        forwarder.restore();
    }

    public boolean reachable() {
        return forwarder.isOpen();
    }

    @Override
    public void close() {
        forwarder.close();
        broker.destroy();
    }
}
