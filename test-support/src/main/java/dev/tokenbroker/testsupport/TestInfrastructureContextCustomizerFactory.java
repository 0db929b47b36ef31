package dev.tokenbroker.testsupport;

import java.util.List;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Registered in {@code META-INF/spring.factories}; acts on classes annotated {@link WithTestInfrastructure}. */
public final class TestInfrastructureContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
                                                     List<ContextConfigurationAttributes> configAttributes) {
        WithTestInfrastructure annotation =
                TestContextAnnotationUtils.findMergedAnnotation(testClass, WithTestInfrastructure.class);
        return annotation == null ? null : new TestInfrastructureContextCustomizer(annotation.kafka());
    }
}
