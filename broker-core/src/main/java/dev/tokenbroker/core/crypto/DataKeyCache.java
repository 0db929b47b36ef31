package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import dev.tokenbroker.core.api.TokenSetId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Unwrapped data keys (as Tink {@link Aead} primitives) in memory, so decrypting a current token does no
 * KEK (KMS) call. Bounded (least recently used goes first) and with a time to live, so a data key erased
 * by another instance stops being usable here after at most the TTL.
 *
 * <h2>Security guarantees</h2>
 * Keys live only in this JVM's heap, are never serialized or logged ({@code toString()} shows counts only),
 * and are dropped on erase and rewrap. A load that raced with an invalidation is not cached: every
 * invalidation bumps a generation, and {@link #put} only stores a key loaded in the current generation,
 * so an erase can never be undone by a concurrent read putting the old key back.
 */
public final class DataKeyCache {

    private record Entry(Aead aead, Instant expiresAt) {
    }

    private final int maxEntries;
    private final Duration ttl;
    private final Clock clock;
    private final LinkedHashMap<DataKeyId, Entry> entries;
    private long generation;

    public DataKeyCache(int maxEntries, Duration ttl, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<DataKeyId, Entry> eldest) {
                return size() > DataKeyCache.this.maxEntries;
            }
        };
    }

    /** Defaults: 10,000 data keys, 10 minutes. */
    public static DataKeyCache withDefaults() {
        return new DataKeyCache(10_000, Duration.ofMinutes(10), Clock.systemUTC());
    }

    /** The cached key, or {@code null} when absent or expired. */
    public synchronized Aead get(DataKeyId id) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.expiresAt())) {
            entries.remove(id);
            return null;
        }
        return entry.aead();
    }

    /** Take this before loading a key from the store; hand it to {@link #put}. */
    public synchronized long generation() {
        return generation;
    }

    /** Caches a key loaded in the given generation; ignored if an invalidation happened meanwhile. */
    public synchronized void put(DataKeyId id, Aead aead, long loadedInGeneration) {
        if (loadedInGeneration == generation) {
            entries.put(id, new Entry(aead, clock.instant().plus(ttl)));
        }
    }

    /** Drops every cached version of the token set's data key (erase). */
    public synchronized void invalidate(TokenSetId tokenSetId) {
        generation++;
        entries.keySet().removeIf(id -> id.tokenSetId().equals(tokenSetId));
    }

    /** Drops one data key (rewrap). */
    public synchronized void invalidate(DataKeyId id) {
        generation++;
        entries.remove(id);
    }

    public synchronized int size() {
        return entries.size();
    }

    @Override
    public synchronized String toString() {
        return "DataKeyCache[" + entries.size() + "/" + maxEntries + " keys, ttl " + ttl + "]";
    }
}
