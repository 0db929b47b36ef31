package dev.tokenbroker.api.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import dev.tokenbroker.api.issuer.ApiClientSecrets;
import dev.tokenbroker.api.issuer.ApiClientStore;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryCustomizer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;

/**
 * Demo mode listens on loopback only unless {@code server.address} is set. No application context
 * and no web server: {@link DemoConfiguration} alone in a small context (the demo IdP on a free port),
 * then its web server customizers and Spring Boot's own one applied to a Tomcat factory in their
 * order, as at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoLoopbackTest {

    private static final String WARNING = "Demo mode is on (demo IdP, demo client): listening on 127.0.0.1 only. "
            + "Set broker.demo.enabled=false for production, or server.address to listen elsewhere.";
    private static final String EXTERNAL_DATABASE = "spring.datasource.url=jdbc:postgresql://db.example/broker";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(DemoConfiguration.class)
            .withBean(ApiClientStore.class, () -> mock(ApiClientStore.class))
            .withBean(ApiClientSecrets.class, () -> mock(ApiClientSecrets.class))
            .withBean(Clock.class, Clock::systemUTC)
            .withPropertyValues("broker.demo.idp-port=0");

    @Test
    void demoModeByDefaultWithoutAnAddressListensOnLoopbackAndSaysSo(CapturedOutput output) {
        runner.run(context -> {   // embedded database, broker.demo.enabled unset: demo mode
            assertThat(context).hasSingleBean(DemoIdentityProvider.class);
            InetAddress address = webServerAddress(context);
            assertThat(address).isNotNull();
            assertThat(address.isLoopbackAddress()).isTrue();
            assertThat(address.getHostAddress()).isEqualTo("127.0.0.1");
        });
        assertThat(output).contains("WARN").contains(WARNING);
    }

    @Test
    void demoModeSwitchedOnWithAnExternalDatabaseListensOnLoopback() {
        runner.withPropertyValues("broker.demo.enabled=true", EXTERNAL_DATABASE).run(context ->
                assertThat(webServerAddress(context).getHostAddress()).isEqualTo("127.0.0.1"));
    }

    @Test
    void aConfiguredAddressWinsInDemoMode(CapturedOutput output) {
        runner.withPropertyValues("server.address=0.0.0.0").run(context -> {
            assertThat(context).hasSingleBean(DemoIdentityProvider.class);
            assertThat(webServerAddress(context).getHostAddress()).isEqualTo("0.0.0.0");
        });
        assertThat(output).doesNotContain("listening on 127.0.0.1 only");
    }

    @Test
    void withoutDemoModeTheAddressIsUnchanged(CapturedOutput output) {
        runner.withPropertyValues("broker.demo.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(DemoLoopbackCustomizer.class);
            assertThat(webServerAddress(context)).isNull();   // Spring Boot's default: every interface
        });
        runner.withPropertyValues(EXTERNAL_DATABASE).run(context -> {
            assertThat(context).doesNotHaveBean(DemoLoopbackCustomizer.class);
            assertThat(webServerAddress(context)).isNull();
        });
        runner.withPropertyValues("broker.demo.enabled=false", "server.address=10.1.2.3").run(context ->
                assertThat(webServerAddress(context).getHostAddress()).isEqualTo("10.1.2.3"));
        assertThat(output).doesNotContain("listening on 127.0.0.1 only");
    }

    /** The address a web server would bind to: every customizer of the context plus Spring Boot's, in order. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static InetAddress webServerAddress(ApplicationContext context) {
        ServerProperties server = Binder.get(context.getEnvironment()).bindOrCreate("server", ServerProperties.class);
        List<WebServerFactoryCustomizer> customizers =
                new ArrayList<>(context.getBeansOfType(WebServerFactoryCustomizer.class).values());
        customizers.add(new ServletWebServerFactoryCustomizer(server));
        AnnotationAwareOrderComparator.sort(customizers);
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
        customizers.forEach(customizer -> customizer.customize(factory));
        return factory.getAddress();
    }
}
