package dev.tokenbroker.api.issuer;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
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
 *   <li>Keyed by the SHA-256 of the token; the token itself is not kept as a key. The hash is taken over the
 *       token's characters where they stand (a JWT is ASCII), with one digest per thread: no copy of the token
 *       per request.</li>
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
        Key key = key(token, 0);
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
        return token == null ? null : remembered(key(token, 0));
    }

    /** {@link #remembered(String)} of the token that is the rest of {@code text} from {@code start}, e.g. a header. */
    public Jwt remembered(String text, int start) {
        return remembered(key(text, start));
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

    private static Key key(String text, int start) {
        return KEY_HASHER.get().key(text, start);
    }

    private static final ThreadLocal<KeyHasher> KEY_HASHER = ThreadLocal.withInitial(KeyHasher::new);

    /** SHA-256 of {@code text.substring(start)} in UTF-8, fed in chunks from a reused buffer while it is ASCII. */
    private static final class KeyHasher {
        private final MessageDigest sha256;
        private final byte[] chunk = new byte[512];
        private final byte[] digest = new byte[32];

        KeyHasher() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java platform", e);
            }
        }

        Key key(String text, int start) {
            sha256.reset();
            int length = text.length();
            for (int from = start; from < length; from += chunk.length) {
                int to = Math.min(length, from + chunk.length);
                for (int i = from; i < to; i++) {
                    char c = text.charAt(i);
                    if (c >= 0x80) {
                        // Not a JWT; hashed the plain way so the key stays the SHA-256 of the UTF-8 bytes.
                        sha256.reset();
                        sha256.update(text.substring(start).getBytes(StandardCharsets.UTF_8));
                        return finish();
                    }
                    chunk[i - from] = (byte) c;
                }
                sha256.update(chunk, 0, to - from);
            }
            return finish();
        }

        private Key finish() {
            try {
                sha256.digest(digest, 0, digest.length);
            } catch (DigestException e) {
                throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
            }
            return new Key(longAt(0), longAt(8), longAt(16), longAt(24));
        }

        private long longAt(int offset) {
            long value = 0;
            for (int i = offset; i < offset + 8; i++) {
                value = (value << 8) | (digest[i] & 0xFF);
            }
            return value;
        }
    }
}
