package dev.tokenbroker.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a Spring test context a fresh database on the shared test PostgreSQL (and, with
 * {@code kafka = true}, the shared Kafka broker) through {@code spring.datasource.*} and
 * {@code spring.kafka.bootstrap-servers}.
 *
 * <p>The database is created once per Spring context, not per test class: classes with the same
 * configuration share the cached context and therefore its database, so tests use their own ids.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface WithTestInfrastructure {

    /** Whether the context also gets the shared Kafka broker. */
    boolean kafka() default false;
}
