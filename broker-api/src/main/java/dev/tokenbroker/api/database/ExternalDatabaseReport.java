package dev.tokenbroker.api.database;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Says at start-up which external database the broker uses (the URL only, never credentials). */
@Component
@ConditionalOnProperty("spring.datasource.url")
class ExternalDatabaseReport {

    private static final Logger log = LoggerFactory.getLogger(ExternalDatabaseReport.class);

    private final String url;

    ExternalDatabaseReport(@Value("${spring.datasource.url}") String url) {
        this.url = url;
    }

    @EventListener(ApplicationStartedEvent.class)
    void report() {
        log.info("Database: external PostgreSQL at {}", url.replaceAll("(?i)password=[^&;]*", "password=***"));
    }
}
