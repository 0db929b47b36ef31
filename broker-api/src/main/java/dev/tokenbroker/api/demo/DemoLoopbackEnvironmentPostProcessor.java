package dev.tokenbroker.api.demo;

import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Demo mode signs in anyone (demo IdP) and has an API client with a published secret, so unless an
 * address is configured the broker then listens on the loopback interface only: adds
 * {@code server.address=127.0.0.1} as the property source of lowest precedence, so any configured
 * {@code server.address} (file, environment, command line) wins. Registered in
 * {@code META-INF/spring.factories}; runs after the configuration files are loaded.
 */
public final class DemoLoopbackEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY_SOURCE_NAME = "brokerDemoLoopback";
    static final String LOOPBACK = "127.0.0.1";

    private final Log log;

    public DemoLoopbackEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(DemoLoopbackEnvironmentPostProcessor.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!OnDemoMode.isOn(environment) || StringUtils.hasText(environment.getProperty("server.address"))) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME,
                Map.of("server.address", LOOPBACK)));
        log.warn("Demo mode is on (demo IdP, demo client): listening on " + LOOPBACK + " only. "
                + "Set broker.demo.enabled=false for production, or server.address to listen elsewhere.");
    }

    @Override
    public int getOrder() {
        // After ConfigDataEnvironmentPostProcessor (application.yml, profiles), so configured addresses are seen.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
