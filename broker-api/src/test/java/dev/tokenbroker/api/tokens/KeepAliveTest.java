package dev.tokenbroker.api.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A backend that fetches tokens over one keep-alive connection keeps it: Tomcat's default closed it after every
 * 100 requests, so 1 % of fetches at a steady rate paid for a new connection (a TLS handshake in production).
 */
@BrokerApiTest
class KeepAliveTest {

    private static final int FETCHES = 250;

    @LocalServerPort
    int port;

    @Test
    void aBackendsConnectionServesManyFetchesWithoutBeingClosed() throws Exception {
        ApiClients api = new ApiClients(port);
        String appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        new DemoLinking(api).link(appToken, "kim", "kim-upstream");
        await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/kim/connections/demo/token", backendToken).statusCode() == 200);

        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] request = ("GET /v1/users/kim/connections/demo/token HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nAuthorization: Bearer " + backendToken + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 1; i <= FETCHES; i++) {
                out.write(request);
                out.flush();
                String head = readResponse(in);
                assertThat(head).as("answer %d", i).startsWith("HTTP/1.1 200");
                assertThat(head.toLowerCase(Locale.ROOT)).as("answer %d keeps the connection", i)
                        .doesNotContain("connection: close");
            }
        }
    }

    /** Reads one response (headers and a Content-Length body) and returns its head. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the broker after: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        in.readNBytes(length);
        return text;
    }
}
