package dev.tokenbroker.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TestInfrastructureTest {

    @Test
    void explicitModeWinsOverDetection() {
        assertThat(TestInfrastructure.decideMode("embedded")).isEqualTo(TestInfrastructure.Mode.EMBEDDED);
        assertThat(TestInfrastructure.decideMode(" Containers ")).isEqualTo(TestInfrastructure.Mode.CONTAINERS);
    }

    @Test
    void unknownModeIsRejectedWithTheAllowedValues() {
        assertThatThrownBy(() -> TestInfrastructure.decideMode("docker"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, embedded, containers");
    }

    @Test
    void eachDatabaseIsFreshAndIsolatedOnTheSharedServer() throws Exception {
        TestDatabase first = TestInfrastructure.postgres().createDatabase("isolation-a");
        TestDatabase second = TestInfrastructure.postgres().createDatabase("isolation-b");
        first.execute("create table marker (id int)");

        assertThat(TestInfrastructure.postgres()).isSameAs(TestInfrastructure.postgres());
        try (Connection connection = second.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "select count(*) from information_schema.tables where table_name = 'marker'")) {
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }
    }
}
