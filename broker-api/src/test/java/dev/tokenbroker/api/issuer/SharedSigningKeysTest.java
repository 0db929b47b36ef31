package dev.tokenbroker.api.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.TokenBrokerApplication;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** A second broker instance on the same database accepts the API tokens the first one issued, and vice versa. */
@BrokerApiTest
class SharedSigningKeysTest {

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;

    @Test
    void anotherInstanceOnTheSameDatabaseAcceptsTheTokens() throws Exception {
        ApiClients first = new ApiClients(port);
        String issuedByFirst = first.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);   // behind FailFastDataSource

        try (ConfigurableApplicationContext other = new SpringApplicationBuilder(TokenBrokerApplication.class)
                .properties("spring.datasource.url=" + pool.getJdbcUrl(),
                        "spring.datasource.username=" + pool.getUsername(),
                        "spring.datasource.password=" + pool.getPassword(),
                        "server.port=0",
                        "broker.demo.enabled=false",
                        "broker.crypto.kek.generate-into=target/test-kek",
                        // Embedded Kafka, once another test started it, leaves its address in system properties.
                        "broker.events.kafka.enabled=false")
                .run()) {
            ApiClients second = new ApiClients(((WebServerApplicationContext) other).getWebServer().getPort());

            assertThat(second.get("/v1/admin/clients", issuedByFirst).statusCode()).isEqualTo(200);
            String issuedBySecond = second.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
            assertThat(first.get("/v1/admin/clients", issuedBySecond).statusCode()).isEqualTo(200);
        }
    }
}
