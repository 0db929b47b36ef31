package dev.tokenbroker.projections.chain;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs the chain's head as the {@link CheckpointPolicy} says, stores the checkpoint, and copies every
 * stored checkpoint to the sinks outside the database.
 *
 * <p>Every instance runs one; the first to store a checkpoint for a chain index wins (the others'
 * inserts do nothing). Each instance then copies what the table holds beyond its sinks' last entry,
 * so every instance's directory receives every checkpoint, whoever signed it.
 */
public final class CheckpointSigner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CheckpointSigner.class);

    private final EventChainRepository chain;
    private final CheckpointRepository checkpoints;
    private final CheckpointSigningKeys keys;
    private final List<CheckpointSink> sinks;
    private final CheckpointPolicy policy;
    private final Clock clock;
    private final java.util.Set<CheckpointSink> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService scheduler;

    public CheckpointSigner(EventChainRepository chain, CheckpointRepository checkpoints, CheckpointSigningKeys keys,
                            List<CheckpointSink> sinks, CheckpointPolicy policy, Clock clock) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.sinks = List.copyOf(sinks);
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "event-chain-checkpoints");
            thread.setDaemon(true);
            return thread;
        });
        long tick = policy.tick().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                log.warn("checkpoint signing failed, retrying in {} ms: {}", tick, e.toString());
            }
        }, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Signs if due, then brings the sinks up to date. */
    public void tick() {
        Optional<EventChainRepository.Head> head = chain.head();
        long signed = checkpoints.latestChainIndex().orElse(-1L);
        if (head.isPresent() && head.get().chainIndex() > signed && due(head.get(), signed)) {
            sign(head.get());
        }
        copyToSinks();
    }

    /** Signs the current head now unless it is signed already; answers the latest checkpoint's chain index. */
    public long signNow() {
        chain.head().ifPresent(head -> {
            if (head.chainIndex() > checkpoints.latestChainIndex().orElse(-1L)) {
                sign(head);
            }
        });
        copyToSinks();
        return checkpoints.latestChainIndex().orElse(-1L);
    }

    private boolean due(EventChainRepository.Head head, long signed) {
        if (head.chainIndex() - signed >= policy.everyEvents()) {
            return true;
        }
        Instant oldestUnsigned = chain.chainedAt(signed + 1).orElse(clock.instant());
        return !Duration.between(oldestUnsigned, clock.instant()).minus(policy.interval()).isNegative();
    }

    private void sign(EventChainRepository.Head head) {
        Checkpoint checkpoint = keys.sign(head.chainIndex(), head.position(), head.digest());
        if (checkpoints.insert(checkpoint)) {
            log.debug("signed {}", checkpoint);
            for (CheckpointSink sink : sinks) {
                if (sink.lastChainIndex() == Long.MAX_VALUE) { // a sink that cannot say what it holds: fed by the signer
                    try {
                        sink.append(checkpoint);
                    } catch (IOException e) {
                        log.warn("could not append a checkpoint to {}: {}", sink, e.toString());
                    }
                }
            }
        }
    }

    private void copyToSinks() {
        for (CheckpointSink sink : sinks) {
            long last = sink.lastChainIndex();
            if (last == Long.MAX_VALUE) {
                continue;
            }
            for (String jws : checkpoints.jwsAfter(last)) {
                try {
                    sink.append(CheckpointVerifier.unverified(jws));
                    if (failing.remove(sink)) {
                        log.info("checkpoints reach {} again", sink);
                    }
                } catch (IOException e) {
                    // the table keeps the checkpoint: the next tick sends it again, from the sink's last one on
                    if (failing.add(sink)) {
                        log.warn("could not append a checkpoint to {} (retrying; further failures at debug level): {}",
                                sink, e.toString());
                    } else {
                        log.debug("could not append a checkpoint to {}: {}", sink, e.toString());
                    }
                    break;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
