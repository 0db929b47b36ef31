package dev.tokenbroker.core.eventstore;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads every column of every row of every table in the public schema (found through information_schema,
 * so tables added later are scanned too) and searches the raw bytes for known values: as UTF-8 text, and
 * base64-encoded (how Jackson writes a byte[] that would hold them).
 */
final class RawDatabaseScan {

    private record Cell(String table, String column, byte[] bytes) {
    }

    private final List<Cell> cells;
    private final JdbcTemplate jdbc;

    private RawDatabaseScan(JdbcTemplate jdbc, List<Cell> cells) {
        this.jdbc = jdbc;
        this.cells = cells;
    }

    static RawDatabaseScan of(JdbcTemplate jdbc) {
        List<Cell> cells = new ArrayList<>();
        List<String> tables = jdbc.queryForList("SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", String.class);
        for (String table : tables) {
            jdbc.query("SELECT * FROM \"" + table + "\"", rs -> {
                ResultSetMetaData meta = rs.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    if (value != null) {
                        byte[] bytes = value instanceof byte[] raw ? raw : value.toString().getBytes(StandardCharsets.UTF_8);
                        cells.add(new Cell(table, meta.getColumnName(i), bytes));
                    }
                }
            });
        }
        return new RawDatabaseScan(jdbc, cells);
    }

    long rowsIn(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM \"" + table + "\"", Long.class);
    }

    /** "table.column contains needle" for every hit. */
    List<String> findings(List<String> needles) {
        List<String> findings = new ArrayList<>();
        for (String needle : needles) {
            for (byte[] form : List.of(needle.getBytes(StandardCharsets.UTF_8),
                    Base64.getEncoder().encode(needle.getBytes(StandardCharsets.UTF_8)))) {
                for (Cell cell : cells) {
                    if (contains(cell.bytes(), form)) {
                        findings.add(cell.table() + "." + cell.column() + " contains a known value");
                    }
                }
            }
        }
        return findings;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
