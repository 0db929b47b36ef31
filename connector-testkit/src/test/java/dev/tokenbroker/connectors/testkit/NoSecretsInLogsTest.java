package dev.tokenbroker.connectors.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.tokenbroker.connectors.github.GitHubConnectorKitTest;
import dev.tokenbroker.connectors.google.GoogleConnectorKitTest;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorKitTest;
import dev.tokenbroker.connectors.oidc.OidcConnectorKitTest;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 1 for connectors: while every shipped connector runs the whole kit (successes, each failure class,
 * timeouts), no log line and no exception message contains a token value or client secret. The connectors log
 * at TRACE here, so everything they could ever log is captured.
 *
 * <p>Loggers of the simulated IdPs themselves (mock-oauth2-server logs the tokens it issues, at DEBUG) are the
 * IdP's side of the wire and are not scanned; they stay at WARN.
 */
class NoSecretsInLogsTest {

    private static final List<String> IDP_SIDE_LOGGERS = List.of("no.nav.", "mu.", "okhttp3.", "org.eclipse.jetty.", "wiremock.", "com.github.tomakehurst.", "org.wiremock.");

    @Test
    void noTokenValueOrClientSecretInAnyLogLineOrExceptionMessageDuringTheKitRuns() {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("dev.tokenbroker");
        Logger nimbus = (Logger) LoggerFactory.getLogger("com.nimbusds");
        Level oursBefore = ours.getLevel();
        Level nimbusBefore = nimbus.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        ours.setLevel(Level.TRACE);
        nimbus.setLevel(Level.TRACE);
        KitRun run;
        try {
            run = KitRun.of(GitHubConnectorKitTest.class, GoogleConnectorKitTest.class, OidcConnectorKitTest.class, OAuth2ConnectorKitTest.class);
        } finally {
            root.detachAppender(captured);
            ours.setLevel(oursBefore);
            nimbus.setLevel(nimbusBefore);
        }

        assertThat(run.failed()).as("the kit runs themselves check exception messages").isEmpty();
        Set<String> secrets = ConnectorTestKit.observedSecrets();
        assertThat(secrets).as("client secrets and tokens seen").hasSizeGreaterThan(20);
        List<ILoggingEvent> scanned = captured.list.stream()
                .filter(event -> IDP_SIDE_LOGGERS.stream().noneMatch(event.getLoggerName()::startsWith))
                .collect(Collectors.toList());
        assertThat(scanned.stream().filter(event -> event.getLoggerName().startsWith("dev.tokenbroker")))
                .as("the connectors did log (DEBUG requests, WARN failures)").hasSizeGreaterThan(50);
        for (ILoggingEvent event : scanned) {
            String line = event.getFormattedMessage() + throwableText(event.getThrowableProxy());
            for (String secret : secrets) {
                assertThat(line).as("log line of %s", event.getLoggerName()).doesNotContain(secret);
            }
        }
    }

    private static String throwableText(IThrowableProxy proxy) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy t = proxy; t != null; t = t.getCause()) {
            text.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
        }
        return text.toString();
    }
}
