package dev.tokenbroker.api.issuer;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers, in memory only, which stored secret hash a presented client secret matched, so a client
 * that authenticates on every request (token exchange) pays the password hash once, not each time.
 *
 * <p>Security: only successful matches are remembered, keyed by an HMAC of (client id, secret) under a
 * random key that never leaves the process (no plain hash of a secret is kept). A remembered match
 * counts only while its stored hash is still among the client's active ones, which the caller reads
 * on every request: removing or expiring a secret ends it at once. A wrong secret always takes the
 * full password-hash path.
 */
final class VerifiedSecretMemo {

    private static final int MAX_ENTRIES = 10_000;

    private final SecretKeySpec key;
    private final Map<String, String> matchedHashes = new ConcurrentHashMap<>();

    VerifiedSecretMemo() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** The stored hash this secret matched before, or {@code null}. */
    String matchedHash(String clientId, String secret) {
        return matchedHashes.get(fingerprint(clientId, secret));
    }

    void remember(String clientId, String secret, String matchedHash) {
        if (matchedHashes.size() >= MAX_ENTRIES) {
            matchedHashes.clear();
        }
        matchedHashes.put(fingerprint(clientId, secret), matchedHash);
    }

    private String fingerprint(String clientId, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(clientId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return Base64.getEncoder().encodeToString(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
