package dev.tokenbroker.api.database;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded PostgreSQL of the one-box default, used only when no {@code spring.datasource.url}
 * (or {@code SPRING_DATASOURCE_URL}) is configured.
 *
 * @param dataDirectory where the database files live; kept across restarts
 * @param port          the port to listen on (loopback only); 0 picks a free one
 */
@ConfigurationProperties("broker.embedded-postgres")
public record EmbeddedPostgresProperties(@DefaultValue(EmbeddedPostgresProperties.DEFAULT_DATA_DIRECTORY) Path dataDirectory,
                                         @DefaultValue("0") int port) {

    public static final String DATA_DIRECTORY_PROPERTY = "broker.embedded-postgres.data-directory";
    public static final String DEFAULT_DATA_DIRECTORY = "data/postgres";

    public EmbeddedPostgresProperties {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("broker.embedded-postgres.port=" + port
                    + " is not a port: use 1-65535, or 0 to pick a free one");
        }
    }
}
