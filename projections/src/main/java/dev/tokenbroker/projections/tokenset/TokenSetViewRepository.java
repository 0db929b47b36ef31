package dev.tokenbroker.projections.tokenset;

import static dev.tokenbroker.projections.jdbc.SqlValues.bytes;
import static dev.tokenbroker.projections.jdbc.SqlValues.instant;
import static dev.tokenbroker.projections.jdbc.SqlValues.integer;
import static dev.tokenbroker.projections.jdbc.SqlValues.nullableInt;
import static dev.tokenbroker.projections.jdbc.SqlValues.scopes;
import static dev.tokenbroker.projections.jdbc.SqlValues.text;
import static dev.tokenbroker.projections.jdbc.SqlValues.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.RowMapper;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;

/**
 * JDBC access to {@code token_set_view}.
 *
 * <p>Every write is conditional on the row's {@code version} (the aggregate sequence number of the last
 * applied event) in the statement itself, without a read-then-write race: {@link ApplyWhen#NEWER} for the
 * streaming processor, so a redelivered or out-of-date event changes nothing; {@link ApplyWhen#NEXT} for the
 * write-through in the command's transaction, which applies an event only on top of its direct predecessor,
 * so the row never skips an event. The writes join the caller's transaction (Spring's
 * {@code DataSourceUtils}): the row commits with the processor's tracking token, or with the event itself.
 */
public final class TokenSetViewRepository {

    private static final String COLUMNS = "token_set_id, user_id, connector_id, status, granted_scopes, upstream_subject,"
            + " upstream_display_name, data_key_version, access_token_ciphertext, access_token_key_version,"
            + " access_token_expires_at, refresh_token_ciphertext, refresh_token_key_version, refresh_token_expires_at,"
            + " id_token_ciphertext, id_token_key_version, token_version, refresh_token_version, linked_at,"
            + " last_refreshed_at, last_failure_kind, last_failure_code, last_failure_description,"
            + " consecutive_failures, failing_since, retry_at, reauthorization_reason, last_handed_out_at, revoked_at,"
            + " upstream_revocation, erased_at, version, updated_at";

    /** Which row versions an event with sequence number {@code n} may be applied on. */
    public enum ApplyWhen {
        /** Any older row: {@code version < n}. Redelivery and replays are no-ops; the processor's rule. */
        NEWER("%s < %s"),
        /** Only the direct predecessor: {@code version = n - 1}; the write-through's rule. */
        NEXT("%s = %s - 1");

        private final String template;

        ApplyWhen(String template) {
            this.template = template;
        }

        String condition(String column, String sequenceNumber) {
            return template.formatted(column, sequenceNumber);
        }
    }

    private final JdbcTemplate jdbc;

    public TokenSetViewRepository(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    }

    /** A link or relink replaces the whole state; only the time of the last hand-out survives a relink. */
    void linked(TokenSetLinked event, long sequenceNumber, Instant occurredAt, ApplyWhen when) {
        if (when == ApplyWhen.NEXT && sequenceNumber > 0 && !rowIsAt(event.tokenSetId(), sequenceNumber - 1)) {
            // A relink whose predecessor is not in the row yet (a rebuild is replaying): the processor applies it.
            return;
        }
        jdbc.update("INSERT INTO token_set_view (" + COLUMNS + ") VALUES ("
                        + "?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL,"
                        + " NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?, ?)"
                        + " ON CONFLICT (token_set_id) DO UPDATE SET"
                        + " user_id = EXCLUDED.user_id, connector_id = EXCLUDED.connector_id, status = EXCLUDED.status,"
                        + " granted_scopes = EXCLUDED.granted_scopes, upstream_subject = EXCLUDED.upstream_subject,"
                        + " upstream_display_name = EXCLUDED.upstream_display_name,"
                        + " data_key_version = EXCLUDED.data_key_version,"
                        + " access_token_ciphertext = EXCLUDED.access_token_ciphertext,"
                        + " access_token_key_version = EXCLUDED.access_token_key_version,"
                        + " access_token_expires_at = EXCLUDED.access_token_expires_at,"
                        + " refresh_token_ciphertext = EXCLUDED.refresh_token_ciphertext,"
                        + " refresh_token_key_version = EXCLUDED.refresh_token_key_version,"
                        + " refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,"
                        + " id_token_ciphertext = EXCLUDED.id_token_ciphertext,"
                        + " id_token_key_version = EXCLUDED.id_token_key_version,"
                        + " token_version = EXCLUDED.token_version, refresh_token_version = EXCLUDED.refresh_token_version,"
                        + " linked_at = EXCLUDED.linked_at, last_refreshed_at = NULL,"
                        + " last_failure_kind = NULL, last_failure_code = NULL, last_failure_description = NULL,"
                        + " consecutive_failures = 0, failing_since = NULL, retry_at = NULL,"
                        + " reauthorization_reason = NULL, revoked_at = NULL, upstream_revocation = NULL,"
                        + " erased_at = NULL, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at"
                        + " WHERE token_set_view." + when.condition("version", "EXCLUDED.version"),
                event.tokenSetId().value(), text(event.userId()), text(event.connectorId()),
                scopes(event.grantedScopes()), text(event.upstreamSubject()), text(event.upstreamDisplayName()),
                event.dataKeyVersion(),
                ciphertext(event.accessToken()), keyVersion(event.accessToken()), timestamp(event.accessTokenExpiresAt()),
                ciphertext(event.refreshToken()), keyVersion(event.refreshToken()), timestamp(event.refreshTokenExpiresAt()),
                ciphertext(event.idToken()), keyVersion(event.idToken()),
                event.tokenVersion(), event.refreshTokenVersion(), timestamp(occurredAt),
                sequenceNumber, timestamp(occurredAt));
    }

    /** A refresh without a refresh token (or ID token, or refresh expiry) keeps the current one. */
    void refreshed(TokenSetRefreshed event, long sequenceNumber, Instant occurredAt, ApplyWhen when) {
        jdbc.update("UPDATE token_set_view SET status = 'ACTIVE', granted_scopes = ?,"
                        + " access_token_ciphertext = ?, access_token_key_version = ?, access_token_expires_at = ?,"
                        + " refresh_token_ciphertext = COALESCE(?, refresh_token_ciphertext),"
                        + " refresh_token_key_version = COALESCE(?, refresh_token_key_version),"
                        + " refresh_token_expires_at = COALESCE(?, refresh_token_expires_at),"
                        + " id_token_ciphertext = COALESCE(?, id_token_ciphertext),"
                        + " id_token_key_version = COALESCE(?, id_token_key_version),"
                        + " token_version = ?, refresh_token_version = ?, last_refreshed_at = ?,"
                        + " last_failure_kind = NULL, last_failure_code = NULL, last_failure_description = NULL,"
                        + " consecutive_failures = 0, failing_since = NULL, retry_at = NULL, reauthorization_reason = NULL,"
                        + " version = ?, updated_at = ?"
                        + " WHERE token_set_id = ? AND " + when.condition("version", "?"),
                scopes(event.grantedScopes()),
                ciphertext(event.accessToken()), keyVersion(event.accessToken()), timestamp(event.accessTokenExpiresAt()),
                ciphertext(event.refreshToken()), keyVersion(event.refreshToken()),
                timestamp(event.refreshTokenExpiresAt()),
                ciphertext(event.idToken()), keyVersion(event.idToken()),
                event.tokenVersion(), event.refreshTokenVersion(), timestamp(occurredAt),
                sequenceNumber, timestamp(occurredAt),
                event.tokenSetId().value(), sequenceNumber);
    }

    /**
     * A transient failure makes the token set REFRESH_FAILING and due again at the retry time. A permanent
     * one is recorded but leaves the status to the {@link ReauthorizationRequired} that follows it.
     */
    void refreshFailed(TokenRefreshFailed event, long sequenceNumber, Instant occurredAt, ApplyWhen when) {
        boolean transientFailure = event.kind() == RefreshFailureKind.TRANSIENT;
        jdbc.update("UPDATE token_set_view SET status = COALESCE(?, status),"
                        + " last_failure_kind = ?, last_failure_code = ?, last_failure_description = ?,"
                        + " consecutive_failures = ?, failing_since = COALESCE(failing_since, ?), retry_at = ?,"
                        + " version = ?, updated_at = ?"
                        + " WHERE token_set_id = ? AND " + when.condition("version", "?"),
                text(transientFailure ? TokenSetStatus.REFRESH_FAILING.name() : null),
                text(event.kind().name()), text(event.errorCode()), text(event.errorDescription()),
                event.consecutiveFailures(), timestamp(occurredAt), timestamp(event.retryAt()),
                sequenceNumber, timestamp(occurredAt),
                event.tokenSetId().value(), sequenceNumber);
    }

    void reauthorizationRequired(ReauthorizationRequired event, long sequenceNumber, Instant occurredAt, ApplyWhen when) {
        jdbc.update("UPDATE token_set_view SET status = 'REAUTHORIZATION_REQUIRED', reauthorization_reason = ?,"
                        + " retry_at = NULL, version = ?, updated_at = ?"
                        + " WHERE token_set_id = ? AND " + when.condition("version", "?"),
                text(event.reason()), sequenceNumber, timestamp(occurredAt), event.tokenSetId().value(), sequenceNumber);
    }

    void handedOut(AccessTokenHandedOut event, long sequenceNumber, Instant occurredAt, ApplyWhen when) {
        jdbc.update("UPDATE token_set_view SET last_handed_out_at = ?, version = ?, updated_at = ?"
                        + " WHERE token_set_id = ? AND " + when.condition("version", "?"),
                timestamp(occurredAt), sequenceNumber, timestamp(occurredAt), event.tokenSetId().value(), sequenceNumber);
    }

    void revoked(TokenSetRevoked event, long sequenceNumber, Instant occurredAt, ApplyWhen when) {
        jdbc.update("UPDATE token_set_view SET status = 'REVOKED', revoked_at = ?, upstream_revocation = ?,"
                        + " retry_at = NULL, version = ?, updated_at = ?"
                        + " WHERE token_set_id = ? AND " + when.condition("version", "?"),
                timestamp(occurredAt), text(event.upstreamOutcome().name()), sequenceNumber, timestamp(occurredAt),
                event.tokenSetId().value(), sequenceNumber);
    }

    /** The data keys are gone, so the ciphertexts are useless; clearing them keeps the read model honest. */
    void erased(TokenSetErased event, long sequenceNumber, Instant occurredAt, ApplyWhen when) {
        jdbc.update("UPDATE token_set_view SET status = 'ERASED', erased_at = ?,"
                        + " access_token_ciphertext = NULL, access_token_key_version = NULL,"
                        + " refresh_token_ciphertext = NULL, refresh_token_key_version = NULL,"
                        + " id_token_ciphertext = NULL, id_token_key_version = NULL,"
                        + " retry_at = NULL, version = ?, updated_at = ?"
                        + " WHERE token_set_id = ? AND " + when.condition("version", "?"),
                timestamp(occurredAt), sequenceNumber, timestamp(occurredAt), event.tokenSetId().value(), sequenceNumber);
    }

    /** For a replay from the first event. */
    public void deleteAll() {
        jdbc.update("DELETE FROM token_set_view");
    }

    /**
     * Writes whole rows folded in memory ({@link TokenSetViewFold}) with one JDBC batch, under the streaming
     * processor's rule: a row replaces the stored one only when it is newer ({@link ApplyWhen#NEWER}), so a row that
     * a concurrent writer already moved past is left alone. Joins the caller's transaction.
     */
    public void upsertAll(List<TokenSetView> rows) {
        jdbc.batchUpdate(UPSERT, rows.stream().map(TokenSetViewRepository::parameters).toList());
    }

    private static final String UPSERT = "INSERT INTO token_set_view (" + COLUMNS + ") VALUES ("
            + String.join(", ", java.util.Collections.nCopies(COLUMNS.split(",").length, "?")) + ")"
            + " ON CONFLICT (token_set_id) DO UPDATE SET "
            + java.util.Arrays.stream(COLUMNS.split(",")).map(String::trim).filter(column -> !column.equals("token_set_id"))
                    .map(column -> column + " = EXCLUDED." + column).collect(java.util.stream.Collectors.joining(", "))
            + " WHERE token_set_view." + ApplyWhen.NEWER.condition("version", "EXCLUDED.version");

    private static Object[] parameters(TokenSetView row) {
        TokenSetView.RefreshFailure failure = row.lastFailure();
        return new Object[] {
                row.tokenSetId().value(), text(row.userId()), text(row.connectorId()), text(row.status().name()),
                scopes(row.grantedScopes()), text(row.upstreamSubject()), text(row.upstreamDisplayName()),
                row.dataKeyVersion(),
                ciphertext(row.accessToken()), keyVersion(row.accessToken()), timestamp(row.accessTokenExpiresAt()),
                ciphertext(row.refreshToken()), keyVersion(row.refreshToken()), timestamp(row.refreshTokenExpiresAt()),
                ciphertext(row.idToken()), keyVersion(row.idToken()),
                row.tokenVersion(), row.refreshTokenVersion(), timestamp(row.linkedAt()), timestamp(row.lastRefreshedAt()),
                text(failure == null ? null : failure.kind().name()), text(failure == null ? null : failure.errorCode()),
                text(failure == null ? null : failure.errorDescription()),
                failure == null ? 0 : failure.consecutiveFailures(),
                timestamp(failure == null ? null : failure.failingSince()), timestamp(failure == null ? null : failure.retryAt()),
                text(row.reauthorizationReason()), timestamp(row.lastHandedOutAt()), timestamp(row.revokedAt()),
                text(row.upstreamRevocation() == null ? null : row.upstreamRevocation().name()), timestamp(row.erasedAt()),
                row.version(), timestamp(row.updatedAt())};
    }

    /**
     * What a token fetch needs of the row, read by position, and nothing else ({@link AccessTokenRow}); empty
     * when there is no row.
     */
    Optional<AccessTokenRow> findAccessToken(TokenSetId tokenSetId) {
        return Optional.ofNullable(jdbc.query(ACCESS_TOKEN_QUERY, ACCESS_TOKEN_ROW, tokenSetId.value()));
    }

    public Optional<TokenSetView> find(TokenSetId tokenSetId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM token_set_view WHERE token_set_id = ?",
                ROW_MAPPER, tokenSetId.value()).stream().findFirst();
    }

    public List<TokenSetView> findByUser(String userId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM token_set_view WHERE user_id = ? ORDER BY connector_id",
                ROW_MAPPER, text(userId));
    }

    private boolean rowIsAt(TokenSetId tokenSetId, long version) {
        // FOR UPDATE: the row cannot move between this check and the write that follows in the same transaction.
        List<Long> versions = jdbc.queryForList("SELECT version FROM token_set_view WHERE token_set_id = ? FOR UPDATE",
                Long.class, tokenSetId.value());
        return !versions.isEmpty() && versions.get(0) == version;
    }

    private static final RowMapper<TokenSetView> ROW_MAPPER = (rs, rowNum) -> {
        String failureKind = rs.getString("last_failure_kind");
        String revocation = rs.getString("upstream_revocation");
        return new TokenSetView(
                new TokenSetId(rs.getObject("token_set_id", UUID.class)),
                rs.getString("user_id"),
                rs.getString("connector_id"),
                TokenSetStatus.valueOf(rs.getString("status")),
                scopes(rs, "granted_scopes"),
                rs.getString("upstream_subject"),
                rs.getString("upstream_display_name"),
                rs.getInt("data_key_version"),
                sealed(rs, "access_token", TokenPurpose.ACCESS),
                instant(rs, "access_token_expires_at"),
                sealed(rs, "refresh_token", TokenPurpose.REFRESH),
                instant(rs, "refresh_token_expires_at"),
                sealed(rs, "id_token", TokenPurpose.ID),
                rs.getLong("token_version"),
                rs.getLong("refresh_token_version"),
                instant(rs, "linked_at"),
                instant(rs, "last_refreshed_at"),
                failureKind == null ? null : new TokenSetView.RefreshFailure(
                        RefreshFailureKind.valueOf(failureKind),
                        rs.getString("last_failure_code"),
                        rs.getString("last_failure_description"),
                        rs.getInt("consecutive_failures"),
                        instant(rs, "failing_since"),
                        instant(rs, "retry_at")),
                rs.getString("reauthorization_reason"),
                instant(rs, "last_handed_out_at"),
                instant(rs, "revoked_at"),
                revocation == null ? null : UpstreamRevocationOutcome.valueOf(revocation),
                instant(rs, "erased_at"),
                rs.getLong("version"),
                instant(rs, "updated_at"));
    };

    private static final String ACCESS_TOKEN_QUERY = "SELECT status, granted_scopes, access_token_ciphertext,"
            + " access_token_key_version, access_token_expires_at, token_version, erased_at, revoked_at,"
            + " reauthorization_reason FROM token_set_view WHERE token_set_id = ?";

    private static final ResultSetExtractor<AccessTokenRow> ACCESS_TOKEN_ROW = rs -> {
        if (!rs.next()) {
            return null;
        }
        byte[] ciphertext = rs.getBytes(3);
        int keyVersion = rs.getInt(4);
        boolean sealed = ciphertext != null && !rs.wasNull();
        return new AccessTokenRow(
                TokenSetStatus.valueOf(rs.getString(1)),
                sealed ? new SealedToken(ciphertext, keyVersion, TokenPurpose.ACCESS) : null,
                instant(rs, 5),
                scopes(rs, 2),
                rs.getLong(6),
                instant(rs, 7),
                instant(rs, 8),
                rs.getString(9));
    };

    private static SealedToken sealed(ResultSet rs, String prefix, TokenPurpose purpose) throws SQLException {
        byte[] ciphertext = rs.getBytes(prefix + "_ciphertext");
        Integer keyVersion = nullableInt(rs, prefix + "_key_version");
        return ciphertext == null || keyVersion == null ? null : new SealedToken(ciphertext, keyVersion, purpose);
    }

    private static Object ciphertext(SealedToken token) {
        return bytes(token == null ? null : token.ciphertext());
    }

    private static Object keyVersion(SealedToken token) {
        return integer(token == null ? null : token.keyVersion());
    }
}
