package dev.tokenbroker.api.issuer;

import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/** Creates or updates the API clients given under {@code broker.clients.*} at start-up. */
public final class ApiClientBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ApiClientBootstrap.class);

    private final ApiClientProperties properties;
    private final ApiClientStore store;
    private final ApiClientSecrets secrets;
    private final Clock clock;

    public ApiClientBootstrap(ApiClientProperties properties, ApiClientStore store, ApiClientSecrets secrets, Clock clock) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.store = Objects.requireNonNull(store, "store");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void run(ApplicationArguments args) {
        properties.clients().forEach((clientId, client) -> {
            var scopes = new HashSet<ApiScope>();
            client.scopes().forEach(scope -> ApiScope.fromValue(scope).ifPresent(scopes::add));
            ApiClient existing = store.find(clientId).orElse(null);
            store.save(new ApiClient(clientId,
                    client.displayName() == null ? clientId : client.displayName(),
                    scopes, new HashSet<>(client.allowedConnectors()), new HashSet<>(client.allowedReturnUrls()),
                    existing == null ? clock.instant() : existing.createdAt(), false));
            secrets.ensure(clientId, client.secret());
            log.info("API client '{}' configured from broker.clients (scopes {})", clientId, client.scopes());
        });
    }
}
