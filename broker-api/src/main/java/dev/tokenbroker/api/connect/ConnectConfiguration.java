package dev.tokenbroker.api.connect;

import dev.tokenbroker.api.database.PeriodicCleanup;
import dev.tokenbroker.core.crypto.KekRing;
import java.time.Clock;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConnectProperties.class)
class ConnectConfiguration {

    @Bean
    ConnectSessionStore connectSessionStore(JdbcTemplate jdbc) {
        return new ConnectSessionStore(jdbc);
    }

    @Bean
    ConnectSessionQuota connectSessionQuota(ConnectSessionStore sessions, ConnectProperties properties) {
        return new ConnectSessionQuota(sessions, properties.maxOpenSessionsPerClient());
    }

    @Bean
    PendingAuthorizationSealer pendingAuthorizationSealer(KekRing keks) {
        return new PendingAuthorizationSealer(keks);
    }

    @Bean
    TokenSetLinker tokenSetLinker(CommandGateway commands) {
        return new TokenSetLinker(commands);
    }

    @Bean
    ConnectSessionCleanup connectSessionCleanup(ConnectSessionStore sessions, Clock clock) {
        return new ConnectSessionCleanup(sessions, clock);
    }

    @Bean
    PeriodicCleanup connectSessionCleanupSchedule(ConnectSessionCleanup cleanup) {
        return new PeriodicCleanup("connect-session-cleanup", ConnectSessionCleanup.INTERVAL, cleanup::deleteExpired);
    }

    @Bean
    ConnectUrls connectUrls(ConnectProperties properties) {
        return new ConnectUrls(properties);
    }
}
