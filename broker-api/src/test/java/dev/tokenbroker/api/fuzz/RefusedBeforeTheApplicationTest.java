package dev.tokenbroker.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbroker.api.BrokerApiTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Requests refused before any controller runs — by Spring Security's firewall, by Tomcat, or ending at the error
 * page — are answered with our problem types, never Tomcat's HTML page or Boot's error JSON.
 */
@BrokerApiTest
class RefusedBeforeTheApplicationTest {

    @LocalServerPort
    int port;

    @ParameterizedTest
    @ValueSource(strings = {
            "/v1/users/u/connections/..",          // firewall: ".." after normalisation
            "/v1/users/u;jsessionid=x/connections",  // firewall: ';'
            "/v1//users/u/connections",            // firewall: "//"
            "/v1/users/u%2Fx/connections",          // Tomcat: encoded slash
            "/v1/users/u%00/connections",           // Tomcat: encoded NUL
            "/v1/users/%zz/connections",            // Tomcat: malformed percent-encoding
            "/v1/users/u/connections%"})            // Tomcat: lone '%'
    void aRequestRefusedBeforeTheApplicationIsAProblem(String target) throws Exception {
        for (String accept : List.of("application/json", "text/html")) {
            RawHttp.Response response = new RawHttp(port, 10_000).send("GET", target, RawHttp.headers("Accept", accept), null);

            assertThat(response.status()).as(target).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(target + " " + response.body()).startsWith("application/problem+json");
            assertThat(response.body()).contains("\"type\":\"urn:token-broker:problem:invalid_request\"")
                    .doesNotContain("Tomcat").doesNotContain("Whitelabel");
        }
    }

    @Test
    void theErrorPageAskedForDirectlyIsANotFoundProblem() throws Exception {
        RawHttp.Response response = new RawHttp(port, 10_000).send("GET", "/error", RawHttp.headers(), null);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).contains("urn:token-broker:problem:not_found");
    }
}
