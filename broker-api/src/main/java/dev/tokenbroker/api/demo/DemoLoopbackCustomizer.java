package dev.tokenbroker.api.demo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Demo mode signs in anyone (demo IdP) and has an API client with a published secret, so unless
 * {@code server.address} is configured the broker then listens on the loopback interface only, and
 * says so. Runs after Spring Boot's own customizer, which applies a configured {@code server.address}.
 */
public final class DemoLoopbackCustomizer implements WebServerFactoryCustomizer<ConfigurableWebServerFactory>, Ordered {

    static final String LOOPBACK = "127.0.0.1";

    private static final Logger log = LoggerFactory.getLogger(DemoLoopbackCustomizer.class);

    private final Environment environment;

    public DemoLoopbackCustomizer(Environment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    public void customize(ConfigurableWebServerFactory factory) {
        if (StringUtils.hasText(environment.getProperty("server.address"))) {
            return;
        }
        factory.setAddress(loopback());
        log.warn("Demo mode is on (demo IdP, demo client): listening on {} only. "
                + "Set broker.demo.enabled=false for production, or server.address to listen elsewhere.", LOOPBACK);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);   // only for an address of the wrong length
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
