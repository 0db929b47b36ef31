package dev.tokenbroker.api.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import java.net.InetAddress;
import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryCustomizer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.mock.env.MockEnvironment;

/**
 * Demo mode listens on loopback only unless an address is configured. No Spring context: the
 * post-processor runs on an environment, then Spring Boot's own customizer applies the resulting
 * {@code server.*} properties to a Tomcat factory, as the application does at start-up.
 */
class DemoLoopbackTest {

    private final Log log = mock(Log.class);
    private final DemoLoopbackEnvironmentPostProcessor postProcessor = new DemoLoopbackEnvironmentPostProcessor(supplier -> log);

    @Test
    void demoModeOnByDefaultWithoutAnAddressListensOnLoopbackAndSaysSo() {
        MockEnvironment environment = new MockEnvironment();   // embedded database, broker.demo.enabled unset

        InetAddress address = webServerAddress(environment);

        assertThat(address).isNotNull();
        assertThat(address.isLoopbackAddress()).isTrue();
        assertThat(address.getHostAddress()).isEqualTo("127.0.0.1");
        verify(log).warn(contains("Demo mode is on (demo IdP, demo client): listening on 127.0.0.1 only. "
                + "Set broker.demo.enabled=false for production, or server.address to listen elsewhere."));
    }

    @Test
    void demoModeSwitchedOnExplicitlyWithAnExternalDatabaseListensOnLoopback() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("broker.demo.enabled", "true")
                .withProperty("spring.datasource.url", "jdbc:postgresql://db.example/broker");

        assertThat(webServerAddress(environment).getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void aConfiguredAddressWinsInDemoMode() {
        MockEnvironment environment = new MockEnvironment().withProperty("server.address", "0.0.0.0");

        assertThat(webServerAddress(environment).getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(environment.getPropertySources().contains(DemoLoopbackEnvironmentPostProcessor.PROPERTY_SOURCE_NAME)).isFalse();
        verify(log, never()).warn(any());
    }

    @Test
    void demoModeOffLeavesTheAddressUnset() {
        MockEnvironment switchedOff = new MockEnvironment().withProperty("broker.demo.enabled", "false");
        MockEnvironment externalDatabase = new MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:postgresql://db.example/broker");

        assertThat(webServerAddress(switchedOff)).isNull();          // all interfaces, Spring Boot's default
        assertThat(webServerAddress(externalDatabase)).isNull();
        verify(log, never()).warn(any());
    }

    @Test
    void isRegisteredAsAnEnvironmentPostProcessor() {
        assertThat(SpringFactoriesLoader.loadFactoryNames(EnvironmentPostProcessor.class, getClass().getClassLoader()))
                .contains(DemoLoopbackEnvironmentPostProcessor.class.getName());
    }

    /** Post-processes the environment, then configures a web server factory from it like Spring Boot does. */
    private InetAddress webServerAddress(MockEnvironment environment) {
        postProcessor.postProcessEnvironment(environment, new SpringApplication());
        ServerProperties server = Binder.get(environment).bindOrCreate("server", ServerProperties.class);
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
        new ServletWebServerFactoryCustomizer(server).customize(factory);
        return factory.getAddress();
    }
}
