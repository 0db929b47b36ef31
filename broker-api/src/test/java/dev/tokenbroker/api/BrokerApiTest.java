package dev.tokenbroker.api;

import dev.tokenbroker.testsupport.WithTestInfrastructure;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The one Spring context shared by the API's integration tests (same annotation, same cached
 * context): the application on a fresh test database, on a random port, with four API clients.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "broker.crypto.kek.generate-into=target/test-kek",
        "broker.demo.enabled=true",
        "broker.demo.idp-port=0",
        "broker.clients.test-admin.secret=" + BrokerApiTest.ADMIN_SECRET,
        "broker.clients.test-admin.scopes=admin,audit:read",
        "broker.clients.test-backend.secret=" + BrokerApiTest.BACKEND_SECRET,
        "broker.clients.test-backend.scopes=tokens:read",
        "broker.clients.test-backend.allowed-connectors=demo,github",
        "broker.clients.test-app.secret=" + BrokerApiTest.APP_SECRET,
        "broker.clients.test-app.scopes=connections:write",
        "broker.clients.test-app.allowed-connectors=demo,github",
        "broker.clients.test-app.allowed-return-urls=https://app.example/linked,http://localhost:3000/done",
        // Token exchange only (no tokens:read): reaches a user's token only with that user's token from the demo
        // app's login, which demo mode trusts (issuer <demo IdP>/app, audience token-broker).
        "broker.clients.test-exchanger.secret=" + BrokerApiTest.EXCHANGER_SECRET,
        "broker.clients.test-exchanger.scopes=tokens:exchange",
        "broker.clients.test-exchanger.allowed-connectors=demo",
})
@WithTestInfrastructure
public @interface BrokerApiTest {
    String ADMIN_SECRET = "admin-secret-0123456789abcdef";
    String BACKEND_SECRET = "backend-secret-0123456789abcdef";
    String APP_SECRET = "app-secret-0123456789abcdef";
    String EXCHANGER_SECRET = "exchanger-secret-0123456789abcdef";
}
