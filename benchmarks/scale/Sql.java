import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** Runs SQL statements against a JDBC URL and prints the first column of each result row (used by rss.sh). */
public class Sql {
    public static void main(String[] args) throws Exception {
        try (Connection connection = DriverManager.getConnection(args[0], "postgres", "")) {
            for (int i = 1; i < args.length; i++) {
                try (Statement statement = connection.createStatement()) {
                    if (statement.execute(args[i])) {
                        try (ResultSet rs = statement.getResultSet()) {
                            while (rs.next()) {
                                System.out.println(rs.getString(1));
                            }
                        }
                    } else {
                        System.out.println(statement.getUpdateCount());
                    }
                }
            }
        }
    }
}
