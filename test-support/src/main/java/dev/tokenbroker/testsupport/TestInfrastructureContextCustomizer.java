package dev.tokenbroker.testsupport;

import java.util.HashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Points one Spring context at a database of its own. Equal for equal settings, so Spring's
 * context cache still reuses contexts across test classes.
 */
final class TestInfrastructureContextCustomizer implements ContextCustomizer {

    private final boolean kafka;

    TestInfrastructureContextCustomizer(boolean kafka) {
        this.kafka = kafka;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        TestDatabase database = TestInfrastructure.postgres().createDatabase("ctx");
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", database.jdbcUrl());
        properties.put("spring.datasource.username", database.username());
        properties.put("spring.datasource.password", database.password());
        if (kafka) {
            properties.put("spring.kafka.bootstrap-servers", TestInfrastructure.kafka().bootstrapServers());
        }
        // First in line: the test database wins over application.yml, never the other way round.
        context.getEnvironment().getPropertySources()
                .addFirst(new MapPropertySource("brokerTestInfrastructure", properties));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TestInfrastructureContextCustomizer that && that.kafka == kafka;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(kafka);
    }
}
