package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link TokenCipher} with Tink envelope encryption: {@code AES256_GCM} data keys from a {@link DataKeyStore},
 * cached unwrapped in a {@link DataKeyCache} so the hot path ({@link #open} of a current token) does no
 * KEK call.
 *
 * <h2>Security guarantees</h2>
 * As stated on {@link TokenCipher}. The associated data is
 * {@code "tokenbroker:token:v1:" + tokenSetId + ":" + purpose + ":" + keyVersion}; it is authenticated, not
 * stored, so every ciphertext opens only in the place it was sealed for. Failures surface as
 * {@link TokenDecryptionException} or {@link TokenMaterialErasedException}; Tink's exceptions are kept as
 * causes, never thrown through.
 *
 * @see <a href="https://developers.google.com/tink/aead">Tink: AEAD</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc5116#section-2.1">RFC 5116, section 2.1: associated data</a>
 */
public final class TinkTokenCipher implements TokenCipher {

    private final DataKeyStore dataKeys;
    private final DataKeyCache cache;

    public TinkTokenCipher(DataKeyStore dataKeys, DataKeyCache cache) {
        this.dataKeys = Objects.requireNonNull(dataKeys, "dataKeys");
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    @Override
    public SealedToken seal(TokenSetId tokenSetId, TokenPurpose purpose, int keyVersion, TokenValue token) {
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(token, "token");
        DataKeyId id = new DataKeyId(tokenSetId, keyVersion);
        Aead dataKey = cache.get(id);
        if (dataKey == null) {
            long generation = cache.generation();
            dataKey = dataKeys.loadOrCreate(id);
            cache.put(id, dataKey, generation);
        }
        try {
            byte[] ciphertext = dataKey.encrypt(
                    token.reveal().getBytes(StandardCharsets.UTF_8), associatedData(tokenSetId, purpose, keyVersion));
            return new SealedToken(ciphertext, keyVersion, purpose);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed for token set " + tokenSetId, e);
        }
    }

    @Override
    public TokenValue open(TokenSetId tokenSetId, SealedToken sealed) {
        Objects.requireNonNull(sealed, "sealed");
        DataKeyId id = new DataKeyId(tokenSetId, sealed.keyVersion());
        Aead dataKey = cache.get(id);
        if (dataKey == null) {
            long generation = cache.generation();
            Optional<Aead> loaded = dataKeys.load(id);
            if (loaded.isEmpty()) {
                if (dataKeys.isErased(id)) {
                    throw new TokenMaterialErasedException(tokenSetId, sealed.keyVersion());
                }
                throw new TokenDecryptionException("No data key " + id + " for this " + sealed.purpose() + " token");
            }
            dataKey = loaded.get();
            cache.put(id, dataKey, generation);
        }
        try {
            byte[] plaintext = dataKey.decrypt(
                    sealed.ciphertext(), associatedData(tokenSetId, sealed.purpose(), sealed.keyVersion()));
            return TokenValue.of(new String(plaintext, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new TokenDecryptionException("A " + sealed.purpose() + " token ciphertext does not authenticate for token set "
                    + tokenSetId + ", key version " + sealed.keyVersion() + " (tampered, or moved from elsewhere)", e);
        }
    }

    @Override
    public int destroyDataKeys(TokenSetId tokenSetId, int throughKeyVersion) {
        // Invalidate before and after: no instance-local reader may keep or re-cache a key being destroyed.
        cache.invalidate(tokenSetId);
        int destroyed = dataKeys.destroy(tokenSetId, throughKeyVersion);
        cache.invalidate(tokenSetId);
        return destroyed;
    }

    private static byte[] associatedData(TokenSetId tokenSetId, TokenPurpose purpose, int keyVersion) {
        return ("tokenbroker:token:v1:" + tokenSetId + ":" + purpose + ":" + keyVersion).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "TinkTokenCipher[" + dataKeys + ", " + cache + "]";
    }
}
