package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.tokenbroker.core.api.TokenSetId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The data keys (DEKs) of all token sets, wrapped by the key-encryption key, in table
 * {@code token_set_data_key} (Flyway {@code V10__data_keys.sql}).
 *
 * <p>Uses a {@link JdbcTemplate}, so it joins the surrounding Spring transaction when there is one: a data
 * key created while handling a command commits or rolls back together with that command's events.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Data keys are stored only wrapped: {@link TinkProtoKeysetFormat#serializeEncryptedKeyset} under the
 *       KEK, with associated data binding the wrapped key to its (token set, key version) row, so a wrapped
 *       key copied into another row does not unwrap.</li>
 *   <li>{@link #destroy} deletes the rows (crypto-shredding) and records the erasure; an erased version is
 *       never created again.</li>
 *   <li>Which KEK wraps and which unwrap is the {@link KekRing}'s business; this store records the id of the
 *       wrapping KEK next to each data key.</li>
 *   <li>Every {@link #load} unwraps through the KEK (a KMS call for KMS keys): callers cache the result in a
 *       {@link DataKeyCache}.</li>
 * </ul>
 *
 * @see <a href="https://developers.google.com/tink/client-side-encryption">Tink: envelope encryption</a>
 */
public final class DataKeyStore {

    static {
        TinkRegistration.ensureRegistered();
    }

    /** A stored data key as rotation sees it: still wrapped, with the id of the KEK that wrapped it. */
    public record WrappedDataKey(DataKeyId id, String kekId) {
    }

    private final JdbcTemplate jdbc;
    private final KekRing keks;

    /** With a ring of one KEK: no rotation in progress. */
    public DataKeyStore(DataSource dataSource, KeyEncryptionKey kek) {
        this(dataSource, new KekRing(kek));
    }

    /**
     * @param keks wraps new and rewrapped data keys with its primary KEK; unwraps each stored data key with the
     *             enabled KEK its {@code kek_id} names
     */
    public DataKeyStore(DataSource dataSource, KekRing keks) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.keks = Objects.requireNonNull(keks, "keks");
    }

    /** The unwrapped data key, or empty when there is none (never created, or erased). */
    public Optional<Aead> load(DataKeyId id) {
        Lookup found = lookup(id);
        return found.stored() == null ? Optional.empty() : Optional.of(primitive(unwrap(id, found.stored())));
    }

    /**
     * The data key of this version, created and stored (wrapped) if it does not exist yet.
     *
     * @throws TokenMaterialErasedException when this version was erased
     */
    public Aead loadOrCreate(DataKeyId id) {
        Lookup found = lookup(id);
        if (found.stored() != null) {
            return primitive(unwrap(id, found.stored()));
        }
        if (found.erased()) {
            throw new TokenMaterialErasedException(id.tokenSetId(), id.keyVersion());
        }
        KeyEncryptionKey wrapping = keks.primary();
        KeysetHandle dataKey;
        byte[] wrapped;
        try {
            dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, wrapping.aead(), associatedData(id));
        } catch (GeneralSecurityException e) {
            throw new KekUnavailableException("Could not wrap a new data key with KEK " + wrapping.id(), e);
        }
        // Another instance may create the same version concurrently: the first insert wins, everyone uses it.
        int inserted = jdbc.update(
                "INSERT INTO token_set_data_key (token_set_id, key_version, wrapped_key, kek_id) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT DO NOTHING",
                id.tokenSetId().value(), id.keyVersion(), wrapped, wrapping.id());
        if (inserted == 1) {
            return primitive(dataKey);
        }
        return load(id).orElseThrow(() -> new IllegalStateException("data key " + id + " vanished while being created"));
    }

    /** Whether this version of the token set's data key was destroyed by an erase. */
    public boolean isErased(DataKeyId id) {
        return lookup(id).erased();
    }

    /**
     * Crypto-shreds: deletes every data key of the token set up to {@code throughKeyVersion} and records the
     * erasure. Idempotent.
     *
     * @return how many data keys were deleted
     */
    public int destroy(TokenSetId tokenSetId, int throughKeyVersion) {
        int deleted = jdbc.update("DELETE FROM token_set_data_key WHERE token_set_id = ? AND key_version <= ?",
                tokenSetId.value(), throughKeyVersion);
        jdbc.update("INSERT INTO token_set_erasure (token_set_id, erased_through_version) VALUES (?, ?)"
                        + " ON CONFLICT (token_set_id) DO UPDATE SET erased_through_version ="
                        + " GREATEST(token_set_erasure.erased_through_version, EXCLUDED.erased_through_version),"
                        + " erased_at = now()",
                tokenSetId.value(), throughKeyVersion);
        return deleted;
    }

    /** Up to {@code limit} data keys not wrapped by {@code kekId}, in key order after {@code after} ({@code null}: from the start). */
    public List<WrappedDataKey> findNotWrappedBy(String kekId, DataKeyId after, int limit) {
        String sql = "SELECT token_set_id, key_version, kek_id FROM token_set_data_key WHERE kek_id <> ?"
                + (after == null ? "" : " AND (token_set_id, key_version) > (?, ?)")
                + " ORDER BY token_set_id, key_version LIMIT ?";
        Object[] args = after == null
                ? new Object[] {kekId, limit}
                : new Object[] {kekId, after.tokenSetId().value(), after.keyVersion(), limit};
        return jdbc.query(sql, (rs, n) -> new WrappedDataKey(
                new DataKeyId(new TokenSetId(rs.getObject(1, java.util.UUID.class)), rs.getInt(2)), rs.getString(3)), args);
    }

    /**
     * Unwraps the data key with whichever KEK wrapped it and wraps it again with the current KEK.
     *
     * @return {@code false} when the row changed or disappeared meanwhile (erased, or rewrapped by another instance)
     */
    public boolean rewrap(WrappedDataKey key) {
        List<Stored> rows = jdbc.query(
                "SELECT wrapped_key, kek_id FROM token_set_data_key WHERE token_set_id = ? AND key_version = ? AND kek_id = ?",
                (rs, n) -> new Stored(rs.getBytes(1), rs.getString(2)),
                key.id().tokenSetId().value(), key.id().keyVersion(), key.kekId());
        if (rows.isEmpty()) {
            return false;
        }
        KeysetHandle dataKey = unwrap(key.id(), rows.get(0));
        KeyEncryptionKey wrapping = keks.primary();
        byte[] rewrapped;
        try {
            rewrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, wrapping.aead(), associatedData(key.id()));
        } catch (GeneralSecurityException e) {
            throw new KekUnavailableException("Could not wrap data key " + key.id() + " with KEK " + wrapping.id(), e);
        }
        // Guarded by the old kek_id: a concurrent erase or rewrap wins and this update does nothing.
        return jdbc.update("UPDATE token_set_data_key SET wrapped_key = ?, kek_id = ?, rewrapped_at = now()"
                        + " WHERE token_set_id = ? AND key_version = ? AND kek_id = ?",
                rewrapped, wrapping.id(), key.id().tokenSetId().value(), key.id().keyVersion(), key.kekId()) == 1;
    }

    public long count() {
        return jdbc.queryForObject("SELECT count(*) FROM token_set_data_key", Long.class);
    }

    public long countWrappedBy(String kekId) {
        return jdbc.queryForObject("SELECT count(*) FROM token_set_data_key WHERE kek_id = ?", Long.class, kekId);
    }

    private KeysetHandle unwrap(DataKeyId id, Stored stored) {
        // A kek_id no enabled KEK has (e.g. disabled): try the primary, which fails with the message below.
        KeyEncryptionKey unwrapping = keks.enabled(stored.kekId()).orElseGet(keks::primary);
        try {
            return TinkProtoKeysetFormat.parseEncryptedKeyset(stored.wrapped(), unwrapping.aead(), associatedData(id));
        } catch (GeneralSecurityException e) {
            throw new TokenDecryptionException("Data key " + id + " (wrapped by KEK " + stored.kekId()
                    + ") could not be unwrapped with KEK " + unwrapping.id()
                    + ": wrong or disabled key-encryption key, or a corrupted row", e);
        }
    }

    private static Aead primitive(KeysetHandle dataKey) {
        try {
            return dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES256_GCM data key has no AEAD primitive; is TinkRegistration done?", e);
        }
    }

    // Binds the wrapped key to its row: moving it to another token set or version breaks unwrapping.
    private static byte[] associatedData(DataKeyId id) {
        return ("tokenbroker:data-key:v1:" + id.tokenSetId() + ":" + id.keyVersion()).getBytes(StandardCharsets.UTF_8);
    }

    // One round trip for both questions a cache miss asks: is the key there, and if not, was it erased?
    private Lookup lookup(DataKeyId id) {
        return jdbc.query("SELECT k.wrapped_key, k.kek_id, e.erased_through_version"
                        + " FROM (SELECT ?::uuid AS token_set_id, ?::int AS key_version) wanted"
                        + " LEFT JOIN token_set_data_key k ON k.token_set_id = wanted.token_set_id AND k.key_version = wanted.key_version"
                        + " LEFT JOIN token_set_erasure e ON e.token_set_id = wanted.token_set_id",
                rs -> {
                    rs.next();
                    byte[] wrapped = rs.getBytes(1);
                    int erasedThrough = rs.getInt(3);
                    boolean erased = !rs.wasNull() && id.keyVersion() <= erasedThrough;
                    return new Lookup(wrapped == null ? null : new Stored(wrapped, rs.getString(2)), erased);
                },
                id.tokenSetId().value(), id.keyVersion());
    }

    private record Lookup(Stored stored, boolean erased) {
    }

    private record Stored(byte[] wrapped, String kekId) {
    }

    @Override
    public String toString() {
        return "DataKeyStore[" + keks + "]";
    }
}
