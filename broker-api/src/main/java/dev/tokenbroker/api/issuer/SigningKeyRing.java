package dev.tokenbroker.api.issuer;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The in-memory view of {@link SigningKeyStore} that signs and verifies API tokens.
 *
 * <p>Freshness: at most every {@code checkInterval} (default 1 s) a use of the ring compares a cheap
 * fingerprint of the stored key set ({@link SigningKeyStore#fingerprint()}) and reloads when it changed,
 * so a rotation or a revocation on another instance applies here within that interval; a full reload
 * also happens every {@code reloadInterval}, and at once (at most every few seconds) when asked for a
 * key id it does not know. {@link #trusts(String)} lets caches of verified tokens drop the tokens of a
 * key that is no longer in the set.
 */
public final class SigningKeyRing implements JWKSource<SecurityContext> {

    private static final Duration UNKNOWN_KEY_RELOAD_SPACING = Duration.ofSeconds(5);

    private final SigningKeyStore store;
    private final Clock clock;
    private final Duration reloadInterval;
    private final long checkIntervalNanos;
    private volatile Snapshot snapshot;
    private volatile long checkedAtNanos;

    private record Snapshot(JWKSet keys, Set<String> keyIds, String activeKeyId, String fingerprint, Instant loadedAt) {
    }

    public SigningKeyRing(SigningKeyStore store, Clock clock, Duration reloadInterval) {
        this(store, clock, reloadInterval, Duration.ofSeconds(1));
    }

    public SigningKeyRing(SigningKeyStore store, Clock clock, Duration reloadInterval, Duration checkInterval) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reloadInterval = Objects.requireNonNull(reloadInterval, "reloadInterval");
        this.checkIntervalNanos = Objects.requireNonNull(checkInterval, "checkInterval").toNanos();
    }

    /** The key id new tokens are signed with. */
    public String activeKeyId() {
        return current().activeKeyId();
    }

    /** Whether tokens signed with this key id still verify (the key is in the stored set, as of at most one check interval ago). */
    public boolean trusts(String keyId) {
        return current().keyIds().contains(keyId);
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        Snapshot current = current();
        List<JWK> selected = selector.select(current.keys());
        if (selected.isEmpty() && clock.instant().isAfter(current.loadedAt().plus(UNKNOWN_KEY_RELOAD_SPACING))) {
            selected = selector.select(load().keys());
        }
        return selected;
    }

    /** Forces a reload, e.g. right after this instance rotated the keys. */
    public void reload() {
        load();
    }

    private synchronized Snapshot load() {
        // Fingerprint first: a change between the two reads shows at the next check instead of being missed.
        String fingerprint = store.fingerprint();
        List<SigningKeyStore.SigningKey> keys = store.load();
        if (keys.stream().noneMatch(SigningKeyStore.SigningKey::active)) {
            // First start of the first instance: creation is serialised in the database.
            store.ensureActiveKey();
            fingerprint = store.fingerprint();
            keys = store.load();
        }
        String active = keys.stream().filter(SigningKeyStore.SigningKey::active).map(SigningKeyStore.SigningKey::keyId)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No active API signing key in the database"));
        Snapshot loaded = new Snapshot(new JWKSet(keys.stream().map(key -> (JWK) key.jwk()).toList()),
                keys.stream().map(SigningKeyStore.SigningKey::keyId).collect(Collectors.toUnmodifiableSet()),
                active, fingerprint, clock.instant());
        snapshot = loaded;
        checkedAtNanos = System.nanoTime();
        return loaded;
    }

    private Snapshot current() {
        Snapshot current = snapshot;
        if (current == null || clock.instant().isAfter(current.loadedAt().plus(reloadInterval))) {
            try {
                return load();
            } catch (RuntimeException e) {
                if (current == null) {
                    throw e;
                }
                // The database is unreachable: keep validating with the keys already loaded (a key rotated or
                // revoked meanwhile is picked up once it answers again) instead of refusing every valid token.
                return current;
            }
        }
        if (System.nanoTime() - checkedAtNanos > checkIntervalNanos) {
            return check();
        }
        return current;
    }

    /** Callers wait for the check, so nobody uses a key set older than the check interval. */
    private synchronized Snapshot check() {
        Snapshot current = snapshot;
        if (System.nanoTime() - checkedAtNanos <= checkIntervalNanos) {
            return current;
        }
        try {
            if (!store.fingerprint().equals(current.fingerprint())) {
                return load();
            }
        } catch (RuntimeException e) {
            // Database unreachable: keep the loaded keys, look again after the interval (see current()).
        }
        checkedAtNanos = System.nanoTime();
        return current;
    }
}
