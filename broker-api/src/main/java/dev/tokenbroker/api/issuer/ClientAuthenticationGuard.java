package dev.tokenbroker.api.issuer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Brute-force and CPU protection for client authentication at the token endpoint.
 *
 * <ul>
 *   <li><b>Failed authentications per source address and per client id</b>: a token bucket each. A request takes
 *       one token from both <em>before</em> its secret is checked (so a burst of parallel guesses cannot overrun the
 *       limit) and gets it back when it authenticates. An empty bucket answers 429 with {@code Retry-After}, without
 *       checking the secret. Addresses that authenticated as a client before ("known good", remembered for
 *       {@code known-good-ttl}) are exempt from that client's bucket, so a distributed flood against a client id does
 *       not lock out the real client; it still locks out new addresses of that client until the bucket refills.</li>
 *   <li><b>Secret checks (bcrypt) at once</b>: a fair semaphore with few permits; a check that cannot start within
 *       {@code hash-wait} is answered 503 with {@code Retry-After}. A flood thus costs at most that many cores, plus
 *       one: requests from a known-good address of their client that find the shared permits taken use a separate
 *       single-permit lane instead of queueing behind the flood, so established clients keep getting tokens.</li>
 * </ul>
 *
 * <p>All state is in memory, <b>per instance</b>, bounded ({@code max-tracked-keys} LRU entries per map). Behind a
 * proxy the source address is only right with forwarded headers configured (see the README).
 */
public final class ClientAuthenticationGuard {

    private final LongSupplier nanoTime;
    private volatile ClientAuthenticationLimitProperties limits;
    private volatile Semaphore hashing;
    private volatile Semaphore knownGoodHashing;
    private final ThreadLocal<Admission> current = new ThreadLocal<>();
    private final BoundedMap<TokenBucket> addresses = new BoundedMap<>();
    private final BoundedMap<TokenBucket> clients = new BoundedMap<>();
    private final BoundedMap<Long> knownGood = new BoundedMap<>();

    public ClientAuthenticationGuard(ClientAuthenticationLimitProperties limits) {
        this(limits, System::nanoTime);
    }

    ClientAuthenticationGuard(ClientAuthenticationLimitProperties limits, LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        limits(limits);
    }

    /** Replaces the limits and forgets all state. Package-visible: tests with their own limits. */
    synchronized void limits(ClientAuthenticationLimitProperties newLimits) {
        this.limits = Objects.requireNonNull(newLimits, "limits");
        this.hashing = new Semaphore(newLimits.concurrentHashes(), true);
        this.knownGoodHashing = new Semaphore(1, true);
        reset();
    }

    ClientAuthenticationLimitProperties limits() {
        return limits;
    }

    /** Forgets every bucket and known-good address. Package-visible: tests must not lock each other out. */
    void reset() {
        addresses.clear();
        clients.clear();
        knownGood.clear();
    }

    /**
     * Called before the secret is checked.
     *
     * @param clientId the client id presented, {@code null} when none
     * @return the admission; when not {@link Admission#allowed()}, answer 429 and check nothing
     */
    public Admission admit(String clientId, String address) {
        ClientAuthenticationLimitProperties current = limits;
        long now = nanoTime.getAsLong();
        TokenBucket byAddress = addresses.computeIfAbsent(address, key -> new TokenBucket(current.failuresPerAddress(), current.window(), now));
        boolean exempt = clientId == null || isKnownGood(clientId, address, now);
        TokenBucket byClient = exempt ? null
                : clients.computeIfAbsent(clientId, key -> new TokenBucket(current.failuresPerClient(), current.window(), now));
        long addressWait = byAddress.tryTake(now);
        if (addressWait > 0) {
            return Admission.denied(addressWait);
        }
        if (byClient != null) {
            long clientWait = byClient.tryTake(now);
            if (clientWait > 0) {
                byAddress.giveBack(now);
                return Admission.denied(clientWait);
            }
        }
        return new Admission(true, 0, clientId, address, byAddress, byClient, clientId != null && exempt);
    }

    /** Makes {@code admission} visible to {@link #checkSecret} on this thread until {@link #exit()}. */
    public void enter(Admission admission) {
        current.set(admission);
    }

    public void exit() {
        current.remove();
    }

    /** The request authenticated: its tokens go back, and the address is known good for the client. */
    public void succeeded(Admission admission) {
        long now = nanoTime.getAsLong();
        admission.giveBack(now);
        if (admission.clientId != null) {
            knownGood.put(admission.clientId + '\n' + admission.address, now + limits.knownGoodTtl().toNanos());
        }
    }

    /** The request ended without a verdict on the secret (e.g. 503): its tokens go back. */
    public void undecided(Admission admission) {
        admission.giveBack(nanoTime.getAsLong());
    }

    /**
     * Runs one secret check when a permit is free within {@code hash-wait}.
     *
     * @throws SecretCheckCapacityExceededException when all permits stay taken
     */
    public <T> T checkSecret(Supplier<T> check) {
        Admission admission = current.get();
        Semaphore permits = hashing;
        boolean acquired;
        try {
            acquired = permits.tryAcquire();
            if (!acquired && admission != null && admission.knownGood) {
                // The priority lane: an address that authenticated as this client before does not queue behind a flood.
                permits = knownGoodHashing;
                acquired = permits.tryAcquire(limits.hashWait().toNanos(), TimeUnit.NANOSECONDS);
            } else if (!acquired) {
                acquired = permits.tryAcquire(limits.hashWait().toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretCheckCapacityExceededException();
        }
        if (!acquired) {
            throw new SecretCheckCapacityExceededException();
        }
        try {
            return check.get();
        } finally {
            permits.release();
        }
    }

    /** Entries held (addresses, clients, known-good pairs): for tests of the memory bound. */
    int trackedEntries() {
        return addresses.size() + clients.size() + knownGood.size();
    }

    private boolean isKnownGood(String clientId, String address, long now) {
        Long until = knownGood.get(clientId + '\n' + address);
        return until != null && until - now > 0;
    }

    /** Outcome of {@link #admit}. */
    public static final class Admission {
        private final boolean allowed;
        private final long retryAfterNanos;
        private final String clientId;
        private final String address;
        private final TokenBucket byAddress;
        private final TokenBucket byClient;
        private final boolean knownGood;
        private boolean returned;

        private Admission(boolean allowed, long retryAfterNanos, String clientId, String address, TokenBucket byAddress,
                          TokenBucket byClient, boolean knownGood) {
            this.knownGood = knownGood;
            this.allowed = allowed;
            this.retryAfterNanos = retryAfterNanos;
            this.clientId = clientId;
            this.address = address;
            this.byAddress = byAddress;
            this.byClient = byClient;
        }

        static Admission denied(long retryAfterNanos) {
            return new Admission(false, retryAfterNanos, null, null, null, null, false);
        }

        public boolean allowed() {
            return allowed;
        }

        /** Whole seconds until the bucket that refused has a token again, at least 1. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
        }

        private synchronized void giveBack(long now) {
            if (!allowed || returned) {
                return;
            }
            returned = true;
            byAddress.giveBack(now);
            if (byClient != null) {
                byClient.giveBack(now);
            }
        }
    }

    /** Thrown by {@link #checkSecret} when the secret checks are saturated; answered 503. */
    public static final class SecretCheckCapacityExceededException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SecretCheckCapacityExceededException() {
            super("too many client secret checks at once", null, false, false);
        }
    }

    /** Classic token bucket: {@code capacity} tokens, refilled evenly over {@code window}. */
    static final class TokenBucket {
        private final double capacity;
        private final double tokensPerNano;
        private double tokens;
        private long updated;

        TokenBucket(int capacity, Duration window, long now) {
            this.capacity = capacity;
            this.tokensPerNano = capacity / (double) window.toNanos();
            this.tokens = capacity;
            this.updated = now;
        }

        /** Takes a token: 0 when taken, else the nanoseconds until one is available. */
        synchronized long tryTake(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
        }

        synchronized void giveBack(long now) {
            refill(now);
            tokens = Math.min(capacity, tokens + 1);
        }

        private void refill(long now) {
            long elapsed = now - updated;
            if (elapsed > 0) {
                tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
                updated = now;
            }
        }
    }

    /** A synchronized LRU map holding at most {@code maxTrackedKeys} entries. */
    private final class BoundedMap<V> {
        private final LinkedHashMap<String, V> entries = new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > limits.maxTrackedKeys();
            }
        };

        synchronized V computeIfAbsent(String key, java.util.function.Function<String, V> create) {
            return entries.computeIfAbsent(key, create);
        }

        synchronized V get(String key) {
            return entries.get(key);
        }

        synchronized void put(String key, V value) {
            entries.put(key, value);
        }

        synchronized void clear() {
            entries.clear();
        }

        synchronized int size() {
            return entries.size();
        }
    }
}
