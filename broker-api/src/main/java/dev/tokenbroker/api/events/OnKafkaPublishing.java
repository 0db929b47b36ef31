package dev.tokenbroker.api.events;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Publishing is on when bootstrap servers are set ({@code spring.kafka.bootstrap-servers} or
 * {@code spring.kafka.producer.bootstrap-servers}) and {@code broker.events.kafka.enabled} is not false.
 * Spring Boot's own default ({@code localhost:9092}) does not count: the embedded quick start runs without Kafka.
 */
public final class OnKafkaPublishing implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Environment env = context.getEnvironment();
        boolean servers = hasText(env.getProperty("spring.kafka.bootstrap-servers"))
                || hasText(env.getProperty("spring.kafka.producer.bootstrap-servers"));
        return servers && env.getProperty("broker.events.kafka.enabled", Boolean.class, true);
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
