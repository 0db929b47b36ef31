package dev.tokenbroker.projections.jdbc;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.SqlParameterValue;

/**
 * Typed JDBC parameters and column readers shared by the read-model repositories.
 *
 * <p>Parameters carry their SQL type so that {@code null}s are bound without a
 * {@code getParameterMetaData()} round trip, and scopes are stored sorted so a rebuild writes the
 * same array whatever order a {@link Set} iterates in.
 */
public final class SqlValues {

    private SqlValues() {
    }

    public static SqlParameterValue timestamp(Instant instant) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
                instant == null ? null : instant.atOffset(ZoneOffset.UTC));
    }

    public static SqlParameterValue text(String value) {
        return new SqlParameterValue(Types.VARCHAR, value);
    }

    public static SqlParameterValue bytes(byte[] value) {
        return new SqlParameterValue(Types.BINARY, value);
    }

    public static SqlParameterValue integer(Integer value) {
        return new SqlParameterValue(Types.INTEGER, value);
    }

    public static SqlParameterValue bigint(Long value) {
        return new SqlParameterValue(Types.BIGINT, value);
    }

    public static SqlParameterValue bool(Boolean value) {
        return new SqlParameterValue(Types.BOOLEAN, value);
    }

    /** A {@code text[]} of the scopes in sorted order; {@code null} stays {@code null}. */
    public static SqlParameterValue scopes(Collection<String> scopes) {
        return new SqlParameterValue(Types.ARRAY,
                scopes == null ? null : new TreeSet<>(scopes).toArray(String[]::new));
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs.getObject(column, OffsetDateTime.class));
    }

    /** {@link #instant(ResultSet, String)} by column position, for queries read per request. */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        return instant(rs.getObject(column, OffsetDateTime.class));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    public static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    public static Boolean nullableBoolean(ResultSet rs, String column) throws SQLException {
        boolean value = rs.getBoolean(column);
        return rs.wasNull() ? null : value;
    }

    /** The scopes of a {@code text[]} column, in their stored (sorted) order; {@code null} stays {@code null}. */
    public static Set<String> scopes(ResultSet rs, String column) throws SQLException {
        return scopes(rs.getArray(column));
    }

    /** {@link #scopes(ResultSet, String)} by column position, for queries read per request. */
    public static Set<String> scopes(ResultSet rs, int column) throws SQLException {
        return scopes(rs.getArray(column));
    }

    private static Set<String> scopes(Array array) throws SQLException {
        if (array == null) {
            return null;
        }
        try {
            return Collections.unmodifiableSortedSet(new TreeSet<>(Arrays.asList((String[]) array.getArray())));
        } finally {
            array.free();
        }
    }
}
