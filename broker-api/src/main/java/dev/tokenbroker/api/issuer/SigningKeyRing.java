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

/**
 * The in-memory view of {@link SigningKeyStore} that signs and verifies API tokens. It reloads
 * at a fixed interval, and at once (at most every few seconds) when asked for a key id it does
 * not know, so a rotation on another instance is picked up without a restart.
 */
public final class SigningKeyRing implements JWKSource<SecurityContext> {

    private static final Duration UNKNOWN_KEY_RELOAD_SPACING = Duration.ofSeconds(5);

    private final SigningKeyStore store;
    private final Clock clock;
    private final Duration reloadInterval;
    private volatile Snapshot snapshot;

    private record Snapshot(JWKSet keys, String activeKeyId, Instant loadedAt) {
    }

    public SigningKeyRing(SigningKeyStore store, Clock clock, Duration reloadInterval) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reloadInterval = Objects.requireNonNull(reloadInterval, "reloadInterval");
    }

    /** The key id new tokens are signed with. */
    public String activeKeyId() {
        return current().activeKeyId();
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
        List<SigningKeyStore.SigningKey> keys = store.load();
        if (keys.stream().noneMatch(SigningKeyStore.SigningKey::active)) {
            // First start of the first instance: creation is serialised in the database.
            store.ensureActiveKey();
            keys = store.load();
        }
        String active = keys.stream().filter(SigningKeyStore.SigningKey::active).map(SigningKeyStore.SigningKey::keyId)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No active API signing key in the database"));
        Snapshot loaded = new Snapshot(new JWKSet(keys.stream().map(key -> (JWK) key.jwk()).toList()), active,
                clock.instant());
        snapshot = loaded;
        return loaded;
    }

    private Snapshot current() {
        Snapshot current = snapshot;
        if (current == null || clock.instant().isAfter(current.loadedAt().plus(reloadInterval))) {
            try {
                current = load();
            } catch (RuntimeException e) {
                if (current == null) {
                    throw e;
                }
                // The database is unreachable: keep validating with the keys already loaded (a key rotated
                // meanwhile is picked up once it answers again) instead of refusing every valid token.
            }
        }
        return current;
    }
}
