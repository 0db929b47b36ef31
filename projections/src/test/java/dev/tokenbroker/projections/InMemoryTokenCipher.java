package dev.tokenbroker.projections;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.crypto.TokenDecryptionException;
import dev.tokenbroker.core.crypto.TokenMaterialErasedException;

/**
 * A test {@link TokenCipher} with the real contract (AES-256-GCM, associated data = token set, purpose,
 * key version; erase destroys the keys) but keys held in memory, so these tests do not depend on the
 * Tink implementation in broker-core.
 */
final class InMemoryTokenCipher implements TokenCipher {

    private static final int NONCE_BYTES = 12;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, SecretKey> dataKeys = new ConcurrentHashMap<>();
    private final Set<String> erased = ConcurrentHashMap.newKeySet();

    @Override
    public SealedToken seal(TokenSetId tokenSetId, TokenPurpose purpose, int keyVersion, TokenValue token) {
        String keyId = keyId(tokenSetId, keyVersion);
        if (erased.contains(keyId)) {
            throw new TokenMaterialErasedException(tokenSetId, keyVersion);
        }
        SecretKey key = dataKeys.computeIfAbsent(keyId, id -> newKey());
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(associatedData(tokenSetId, purpose, keyVersion));
            byte[] ciphertext = cipher.doFinal(token.reveal().getBytes(StandardCharsets.UTF_8));
            byte[] sealed = Arrays.copyOf(nonce, NONCE_BYTES + ciphertext.length);
            System.arraycopy(ciphertext, 0, sealed, NONCE_BYTES, ciphertext.length);
            return new SealedToken(sealed, keyVersion, purpose);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public TokenValue open(TokenSetId tokenSetId, SealedToken sealed) {
        String keyId = keyId(tokenSetId, sealed.keyVersion());
        if (erased.contains(keyId)) {
            throw new TokenMaterialErasedException(tokenSetId, sealed.keyVersion());
        }
        SecretKey key = dataKeys.get(keyId);
        if (key == null) {
            throw new TokenDecryptionException("No data key for token set " + tokenSetId);
        }
        try {
            byte[] bytes = sealed.ciphertext();
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData(tokenSetId, sealed.purpose(), sealed.keyVersion()));
            byte[] plaintext = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
            return TokenValue.of(new String(plaintext, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new TokenDecryptionException("Ciphertext does not authenticate for token set " + tokenSetId, e);
        }
    }

    @Override
    public int destroyDataKeys(TokenSetId tokenSetId, int throughKeyVersion) {
        int destroyed = 0;
        for (int version = 1; version <= throughKeyVersion; version++) {
            String keyId = keyId(tokenSetId, version);
            erased.add(keyId);
            if (dataKeys.remove(keyId) != null) {
                destroyed++;
            }
        }
        return destroyed;
    }

    private static String keyId(TokenSetId tokenSetId, int keyVersion) {
        return tokenSetId + "/" + keyVersion;
    }

    private static byte[] associatedData(TokenSetId tokenSetId, TokenPurpose purpose, int keyVersion) {
        return (tokenSetId + "|" + purpose + "|" + keyVersion).getBytes(StandardCharsets.UTF_8);
    }

    private static SecretKey newKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256);
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
