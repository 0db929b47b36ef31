package dev.tokenbroker.testsupport;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** A PostgreSQL server shared by the tests of one JVM; each test context takes a database of its own. */
public abstract class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    public abstract String username();

    public abstract String password();

    /** JDBC URL of the given database on this server. */
    public abstract String jdbcUrl(String database);

    /** Where the server is, for start-up logs and failure messages. */
    public abstract String description();

    /**
     * Creates a new, empty database whose name starts with the given hint.
     *
     * @return the database, not yet migrated; call {@link TestDatabase#migrate()} for our schema
     */
    public TestDatabase createDatabase(String hint) {
        String name = "t" + DATABASES.incrementAndGet() + "_"
                + hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
        if (name.length() > 60) {
            name = name.substring(0, 60);
        }
        TestDatabase admin = new TestDatabase("postgres", jdbcUrl("postgres"), username(), password());
        admin.execute("CREATE DATABASE " + name);
        return new TestDatabase(name, jdbcUrl(name), username(), password());
    }
}
