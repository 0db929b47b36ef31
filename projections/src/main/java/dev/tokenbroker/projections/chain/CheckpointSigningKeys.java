package dev.tokenbroker.projections.chain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.jwt.JwkSetConverter;
import com.google.crypto.tink.jwt.JwtEcdsaParameters;
import com.google.crypto.tink.jwt.JwtPublicKeySign;
import com.google.crypto.tink.jwt.RawJwt;

import dev.tokenbroker.core.crypto.KekRing;
import dev.tokenbroker.core.crypto.TinkRegistration;

/**
 * The keys that sign checkpoints: one Tink keyset of ECDSA P-256 JWT keys ({@code ES256}), shared by
 * every instance through the {@code event_chain_signing_keyset} row.
 *
 * <h2>Security guarantees</h2>
 * The keyset is stored only as AEAD ciphertext under the KEK ({@link KekRing#aead()}) with a fixed
 * associated data, so a database writer can neither read the private keys nor slip in a keyset of
 * their own: a checkpoint for a rewritten chain cannot be signed without the KEK. Rotation adds a new
 * primary key; older keys stay in the keyset (not used for signing) so their public halves stay in the
 * JWKS and old checkpoints keep verifying. A keyset found under an older KEK is rewrapped under the
 * primary KEK when loaded, so KEK rotation never strands it.
 *
 * @see <a href="https://developers.google.com/tink/jwt">Tink: JWT</a>
 */
public final class CheckpointSigningKeys {

    static final byte[] ASSOCIATED_DATA = "token-broker/event-chain/checkpoint-signing-keyset".getBytes(StandardCharsets.US_ASCII);

    /** Serialises keyset creation and rotation across instances (an arbitrary, fixed lock id). */
    private static final long KEYSET_LOCK = 0x7462636b70746b31L;

    static final JwtEcdsaParameters ES256;

    static {
        TinkRegistration.ensureRegistered();
        try {
            ES256 = JwtEcdsaParameters.builder()
                    .setAlgorithm(JwtEcdsaParameters.Algorithm.ES256)
                    .setKidStrategy(JwtEcdsaParameters.KidStrategy.BASE64_ENCODED_KEY_ID)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final KekRing keks;
    private final Clock clock;

    private long cachedVersion = -1;
    private String cachedKekId;
    private KeysetHandle cached;

    public CheckpointSigningKeys(JdbcTemplate jdbc, TransactionTemplate transactions, KekRing keks, Clock clock) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.transactions = Objects.requireNonNull(transactions, "transactions");
        this.keks = Objects.requireNonNull(keks, "keks");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Signs a checkpoint of the link {@code chainIndex} at {@code position} with digest {@code head}. */
    public Checkpoint sign(long chainIndex, long position, byte[] head) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        try {
            RawJwt jwt = RawJwt.newBuilder()
                    .setTypeHeader(Checkpoint.TYPE)
                    .setIssuedAt(now)
                    .addNumberClaim("chain_index", chainIndex)
                    .addNumberClaim("count", chainIndex + 1)
                    .addNumberClaim("position", position)
                    .addStringClaim("head", ChainLink.encode(head))
                    .withoutExpiration()
                    .build();
            String jws = keyset().getPrimitive(JwtPublicKeySign.class).signAndEncode(jwt);
            return CheckpointVerifier.unverified(jws);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign a checkpoint", e);
        }
    }

    /** The public keys, current and retired, as a JWK Set (RFC 7517). */
    public String jwks() {
        try {
            return JwkSetConverter.fromPublicKeysetHandle(keyset().getPublicKeysetHandle());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("could not publish the checkpoint keys", e);
        }
    }

    /** Makes a new key the signing key; the previous ones stay in the JWKS. Answers the new key id. */
    public String rotate() {
        transactions.executeWithoutResult(status -> {
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(?)::text", String.class, KEYSET_LOCK);
            KeysetHandle current = loadOrCreate();
            try {
                KeysetHandle next = KeysetHandle.newBuilder(current)
                        .addEntry(KeysetHandle.generateEntryFromParameters(ES256).withRandomId().makePrimary())
                        .build();
                store(next, true);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("could not rotate the checkpoint signing key", e);
            }
        });
        return primaryKeyId();
    }

    /** The JWS {@code kid} of the signing key. */
    public String primaryKeyId() {
        // Tink's BASE64_ENCODED_KEY_ID strategy: the kid is the base64url of the 4-byte key id
        int id = keyset().getPrimary().getId();
        return ChainLink.encode(java.nio.ByteBuffer.allocate(4).putInt(id).array());
    }

    synchronized KeysetHandle keyset() {
        Long version = jdbc.query("SELECT version FROM event_chain_signing_keyset WHERE id = 1",
                rs -> rs.next() ? rs.getLong(1) : null);
        String primaryKek = keks.primary().id();
        if (version != null && version == cachedVersion && primaryKek.equals(cachedKekId) && cached != null) {
            return cached;
        }
        KeysetHandle handle = transactions.execute(status -> {
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(?)::text", String.class, KEYSET_LOCK);
            return loadOrCreate();
        });
        cachedVersion = jdbc.queryForObject("SELECT version FROM event_chain_signing_keyset WHERE id = 1", Long.class);
        cachedKekId = primaryKek;
        cached = handle;
        return handle;
    }

    /** Within the lock's transaction. */
    private KeysetHandle loadOrCreate() {
        record Stored(byte[] ciphertext, String kekId) {
        }
        Stored stored = jdbc.query("SELECT encrypted_keyset, kek_id FROM event_chain_signing_keyset WHERE id = 1",
                rs -> rs.next() ? new Stored(rs.getBytes(1), rs.getString(2)) : null);
        try {
            if (stored == null) {
                KeysetHandle created = KeysetHandle.generateNew(ES256);
                store(created, false);
                return created;
            }
            KeysetHandle handle = TinkProtoKeysetFormat.parseEncryptedKeyset(stored.ciphertext(), keks.aead(), ASSOCIATED_DATA);
            if (!keks.primary().id().equals(stored.kekId())) {
                store(handle, true); // rewrap under the primary KEK
            }
            return handle;
        } catch (GeneralSecurityException e) {
            // deliberately vague: never echo key material
            throw new IllegalStateException("the checkpoint signing keyset cannot be decrypted with the KEK ring", e);
        }
    }

    private void store(KeysetHandle handle, boolean exists) {
        byte[] ciphertext;
        try {
            ciphertext = TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, keks.aead(), ASSOCIATED_DATA);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not wrap the checkpoint signing keyset", e);
        }
        Timestamp now = Timestamp.from(clock.instant());
        if (exists) {
            jdbc.update("UPDATE event_chain_signing_keyset SET encrypted_keyset = ?, kek_id = ?, version = version + 1,"
                    + " updated_at = ? WHERE id = 1", ciphertext, keks.primary().id(), now);
        } else {
            jdbc.update("INSERT INTO event_chain_signing_keyset (id, encrypted_keyset, kek_id, version, updated_at)"
                    + " VALUES (1, ?, ?, 1, ?)", ciphertext, keks.primary().id(), now);
        }
    }

    @Override
    public String toString() {
        return "CheckpointSigningKeys[keyset redacted]";
    }
}
