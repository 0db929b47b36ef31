package dev.tokenbroker.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The token broker: REST API, connect flow, the broker's own OAuth 2.0 issuer and the refresh scheduler. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TokenBrokerApplication {

    public static void main(String[] args) {
        SpringApplication.run(TokenBrokerApplication.class, args);
    }
}
