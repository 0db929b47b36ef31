package dev.tokenbroker.api.demo;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/** Demo mode: {@code broker.demo.enabled=true}, or unset while the embedded database is in use. */
final class OnDemoMode extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String enabled = context.getEnvironment().getProperty("broker.demo.enabled");
        if (StringUtils.hasText(enabled)) {
            return Boolean.parseBoolean(enabled.trim())
                    ? ConditionOutcome.match("broker.demo.enabled=true")
                    : ConditionOutcome.noMatch("broker.demo.enabled=false");
        }
        return StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"))
                ? ConditionOutcome.noMatch("external database configured and broker.demo.enabled unset")
                : ConditionOutcome.match("embedded database and broker.demo.enabled unset");
    }
}
