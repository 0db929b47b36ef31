package dev.tokenbroker.connectors.http;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import dev.tokenbroker.connectors.ConnectorErrorKind;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorOperation;
import dev.tokenbroker.connectors.ConnectorTimeouts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class UpstreamHttpClientTest {

    @Test
    void refusedConnectionIsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        UpstreamHttpClient http = new UpstreamHttpClient("idp", new ConnectorTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)), Clock.systemUTC());

        ConnectorException failure = catchThrowableOfType(
                () -> http.send(new HTTPRequest(HTTPRequest.Method.POST, URI.create("http://127.0.0.1:" + closedPort + "/token")), ConnectorOperation.REFRESH),
                ConnectorException.class);

        assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.TRANSIENT);
        assertThat(failure.getMessage()).contains("connector 'idp' refresh failed (TRANSIENT)").contains("/token");
    }

    @Test
    void readTimeoutIsBoundedAndTransient() throws IOException {
        // A server that accepts the connection and never answers.
        try (ServerSocket silent = new ServerSocket(0)) {
            UpstreamHttpClient http = new UpstreamHttpClient("idp", new ConnectorTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)), Clock.systemUTC());
            long started = System.nanoTime();

            ConnectorException failure = catchThrowableOfType(
                    () -> http.send(new HTTPRequest(HTTPRequest.Method.GET, URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/jwks")), ConnectorOperation.DISCOVERY),
                    ConnectorException.class);

            assertThat(failure.kind()).isEqualTo(ConnectorErrorKind.TRANSIENT);
            assertThat(failure.getMessage()).contains("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        }
    }
}
