package dev.tokenbroker.api.issuer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * A {@link JwtDecoder} that remembers the API tokens it verified, so a backend reusing its token
 * does not pay for parsing and the RSA signature check on every request.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Keyed by the SHA-256 of the token; the token itself is not kept as a key.</li>
 *   <li>An entry is used only before the token's {@code exp} (no clock-skew allowance: after it the
 *       token goes through the full check again), and only while the {@link SigningKeyRing} still
 *       trusts the key that signed it: a revoked key's tokens stop within the ring's check interval
 *       (1 s by default) on every instance, at once on the instance that revoked it.</li>
 *   <li>Bounded: at {@code maxEntries} the expired entries are dropped, and all if that is not enough.</li>
 *   <li>Only the outcome of verification is cached: whether the client still exists and what it may do
 *       is decided per request (see {@code CallingClient}).</li>
 * </ul>
 */
public final class VerifiedTokenCache implements JwtDecoder {

    private final JwtDecoder delegate;
    private final Predicate<String> trustedKeyId;
    private final Clock clock;
    private final int maxEntries;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    private record Key(long a, long b, long c, long d) {
    }

    private record Entry(Jwt jwt, String keyId, Instant expiresAt) {
    }

    /** @param trustedKeyId whether a key id still verifies, e.g. {@link SigningKeyRing#trusts(String)} */
    public VerifiedTokenCache(JwtDecoder delegate, Predicate<String> trustedKeyId, Clock clock, int maxEntries) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.trustedKeyId = Objects.requireNonNull(trustedKeyId, "trustedKeyId");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.maxEntries = maxEntries;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        if (token == null) {
            return delegate.decode(null);
        }
        Key key = key(token);
        Jwt remembered = remembered(key);
        if (remembered != null) {
            return remembered;
        }
        Jwt jwt = delegate.decode(token);
        Object keyId = jwt.getHeaders().get("kid");
        Instant expiresAt = jwt.getExpiresAt();
        if (keyId instanceof String kid && expiresAt != null && trustedKeyId.test(kid)) {
            if (entries.size() >= maxEntries) {
                evict();
            }
            entries.put(key, new Entry(jwt, kid, expiresAt));
        }
        return jwt;
    }

    /**
     * The token as verified earlier by {@link #decode}, under the same rules, or {@code null} when it is not
     * remembered (never verified, failed verification, expired, or its key no longer trusted). Never verifies
     * anything itself: a caller that must not spend a signature check on a token, such as the token fetch's fast
     * path (a flood of invalid tokens would otherwise be checked twice), leaves the rest to {@link #decode}.
     */
    public Jwt remembered(String token) {
        return token == null ? null : remembered(key(token));
    }

    private Jwt remembered(Key key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (clock.instant().isBefore(entry.expiresAt()) && trustedKeyId.test(entry.keyId())) {
            return entry.jwt();
        }
        entries.remove(key, entry);
        return null;
    }

    /** Number of remembered tokens (for tests and metrics). */
    public int size() {
        return entries.size();
    }

    private void evict() {
        Instant now = clock.instant();
        entries.values().removeIf(entry -> !now.isBefore(entry.expiresAt()));
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
    }

    private static Key key(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            ByteBuffer buffer = ByteBuffer.wrap(digest);
            return new Key(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
