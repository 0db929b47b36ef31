package dev.tokenbroker.api.issuer;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Issues and checks API client secrets. Only password hashes are stored (bcrypt through Spring's
 * delegating encoder, so the algorithm can change without invalidating stored hashes).
 */
public final class ApiClientSecrets {

    /** Hash of a random value: compared against when the client is unknown, so both paths cost the same. */
    private final String decoyHash;
    private final ApiClientStore store;
    private final PasswordEncoder encoder;
    private final SecureRandom random = new SecureRandom();
    /** Clients authenticating on every request (token exchange) pay the password hash once per secret. */
    private final VerifiedSecretMemo verified = new VerifiedSecretMemo();

    public ApiClientSecrets(ApiClientStore store, PasswordEncoder encoder) {
        this.store = Objects.requireNonNull(store, "store");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.decoyHash = encoder.encode(newSecretValue());
    }

    /** A new secret, shown to the caller once; its hash is stored next to the client's other secrets. */
    public IssuedSecret issue(String clientId, Instant expiresAt) {
        String secret = newSecretValue();
        ApiClientStore.StoredSecret stored = store.addSecret(clientId, encoder.encode(secret), expiresAt);
        return new IssuedSecret(stored.secretId(), secret, stored.expiresAt());
    }

    /** Stores the hash of a secret given in configuration unless one of the client's secrets already matches it. */
    public void ensure(String clientId, String secret) {
        if (!matches(clientId, secret)) {
            store.addSecret(clientId, encoder.encode(secret), null);
        }
    }

    /**
     * True when the secret matches any of the client's active secrets. A secret that matched before is
     * recognised without hashing again while its stored hash is still active ({@link VerifiedSecretMemo}).
     */
    public boolean matches(String clientId, String presented) {
        List<String> hashes = store.activeSecretHashes(clientId);
        if (hashes.isEmpty()) {
            encoder.matches(presented, decoyHash);
            return false;
        }
        String remembered = verified.matchedHash(clientId, presented);
        if (remembered != null && hashes.contains(remembered)) {
            return true;
        }
        String matchedHash = null;
        for (String hash : hashes) {
            // No early exit: the time taken does not tell which of several secrets matched.
            if (encoder.matches(presented, hash)) {
                matchedHash = hash;
            }
        }
        if (matchedHash != null) {
            verified.remember(clientId, presented, matchedHash);
        }
        return matchedHash != null;
    }

    private String newSecretValue() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A freshly issued secret; {@link #toString()} does not show it. */
    public record IssuedSecret(String secretId, String secret, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedSecret[secretId=" + secretId + ", secret=<redacted>, expiresAt=" + expiresAt + "]";
        }
    }
}
