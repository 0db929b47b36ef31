package dev.tokenbroker.api.issuer;

import com.google.crypto.tink.Aead;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.tokenbroker.core.crypto.KekRing;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The keys that sign the broker's API access tokens, shared by all instances through PostgreSQL.
 *
 * <h2>Security guarantees</h2>
 * The private key is stored only as ciphertext of the primary key-encryption key of the {@link KekRing} (Tink AEAD), with the
 * key id as associated data, so a copy of the database alone cannot mint API tokens and a wrapped
 * key cannot be swapped under another key id. Retired keys keep only their verification role and
 * are deleted once no token signed by them can still be valid.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7517">RFC 7517 (JSON Web Key)</a>
 */
public final class SigningKeyStore {

    /** Serialises key creation and rotation across instances (an arbitrary, fixed lock id). */
    private static final long ROTATION_LOCK = 0x746f6b62726b7231L;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Aead keyEncryptionKey;
    private final Clock clock;
    private final Duration retiredKeyRetention;

    public SigningKeyStore(JdbcTemplate jdbc, TransactionTemplate transactions, KekRing keks, Clock clock,
                           Duration retiredKeyRetention) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.transactions = Objects.requireNonNull(transactions, "transactions");
        this.keyEncryptionKey = Objects.requireNonNull(keks, "keks").aead();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retiredKeyRetention = Objects.requireNonNull(retiredKeyRetention, "retiredKeyRetention");
    }

    /** A signing key as loaded: the active one with its private half, retired ones public only. */
    public record SigningKey(String keyId, RSAKey jwk, Instant createdAt, Instant retiredAt) {
        public boolean active() {
            return retiredAt == null;
        }

        @Override
        public String toString() {
            return "SigningKey[keyId=" + keyId + ", createdAt=" + createdAt + ", retiredAt=" + retiredAt + "]";
        }
    }

    /** Creates the first key unless some instance already did. */
    public void ensureActiveKey() {
        transactions.executeWithoutResult(status -> {
            lock();
            Integer active = jdbc.queryForObject(
                    "select count(*) from api_signing_key where retired_at is null", Integer.class);
            if (active == null || active == 0) {
                insert(generate());
            }
        });
    }

    /** Makes a new key the signing key; the previous one only verifies from now on. */
    public String rotate() {
        return transactions.execute(status -> {
            lock();
            Instant now = clock.instant();
            jdbc.update("update api_signing_key set retired_at = ? where retired_at is null", Timestamp.from(now));
            jdbc.update("delete from api_signing_key where retired_at < ?", Timestamp.from(now.minus(retiredKeyRetention)));
            RSAKey key = generate();
            insert(key);
            return key.getKeyID();
        });
    }

    /**
     * Takes a key out of service at once: tokens it signed stop verifying on every instance within
     * {@code broker.issuer.key-check-interval}. Revoking the active key first rotates to a new one.
     *
     * @return false when no key has this id
     */
    public boolean revoke(String keyId) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            lock();
            List<Boolean> active = jdbc.queryForList("select retired_at is null from api_signing_key where key_id = ?",
                    Boolean.class, keyId);
            if (active.isEmpty()) {
                return false;
            }
            if (active.get(0)) {
                Instant now = clock.instant();
                jdbc.update("update api_signing_key set retired_at = ? where key_id = ?", Timestamp.from(now), keyId);
                insert(generate());
            }
            return jdbc.update("delete from api_signing_key where key_id = ?", keyId) > 0;
        }));
    }

    /**
     * A cheap digest of the key set (ids and retirement), read before {@link #load()}: when it has not
     * changed, neither have the keys. One small query, so instances can check it every second.
     */
    public String fingerprint() {
        return jdbc.queryForObject("select count(*) || ':' || coalesce(md5(string_agg(key_id || '/' "
                + "|| coalesce(retired_at::text, ''), ',' order by key_id)), '') from api_signing_key", String.class);
    }

    public List<SigningKey> load() {
        return jdbc.query("select key_id, public_jwk, wrapped_private_jwk, created_at, retired_at from api_signing_key "
                        + "order by created_at desc",
                (rs, row) -> {
                    String keyId = rs.getString("key_id");
                    Timestamp retired = rs.getTimestamp("retired_at");
                    RSAKey jwk = retired == null
                            ? unwrap(keyId, rs.getBytes("wrapped_private_jwk"))
                            : parse(rs.getString("public_jwk"));
                    return new SigningKey(keyId, jwk, rs.getTimestamp("created_at").toInstant(),
                            retired == null ? null : retired.toInstant());
                });
    }

    private void lock() {
        jdbc.queryForList("select pg_advisory_xact_lock(?)", ROTATION_LOCK);
    }

    private void insert(RSAKey key) {
        byte[] wrapped;
        try {
            wrapped = keyEncryptionKey.encrypt(key.toJSONString().getBytes(StandardCharsets.UTF_8),
                    associatedData(key.getKeyID()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not wrap a new API signing key with the key-encryption key", e);
        }
        jdbc.update("insert into api_signing_key (key_id, public_jwk, wrapped_private_jwk, created_at) values (?, ?, ?, ?)",
                key.getKeyID(), key.toPublicJWK().toJSONString(), wrapped, Timestamp.from(clock.instant()));
    }

    private RSAKey unwrap(String keyId, byte[] wrapped) {
        try {
            byte[] json = keyEncryptionKey.decrypt(wrapped, associatedData(keyId));
            return RSAKey.parse(new String(json, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | ParseException e) {
            // Deliberately vague: never echo key material.
            throw new IllegalStateException("API signing key " + keyId
                    + " cannot be unwrapped with the configured key-encryption key (was the KEK replaced?)");
        }
    }

    private static RSAKey parse(String publicJwk) {
        try {
            return RSAKey.parse(publicJwk);
        } catch (ParseException e) {
            throw new IllegalStateException("Stored public API signing key is not a JWK", e);
        }
    }

    private static byte[] associatedData(String keyId) {
        return ("token-broker/api-signing-key/" + keyId).getBytes(StandardCharsets.UTF_8);
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not generate an RSA signing key", e);
        }
    }
}
