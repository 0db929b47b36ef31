package dev.tokenbroker.projections.chain;

import static dev.tokenbroker.projections.chain.ChainVerification.Fault;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Verifies the chain in the database: recomputes it from the stored {@code domainevententry} rows, in
 * the chain's order, and checks it against the stored digests and against every signed checkpoint
 * (from the table and from the sinks outside the database, so deleting checkpoints in the database
 * hides nothing that a sink holds).
 *
 * <p>A range {@code [from, to]} of positions is widened to checkpoints: the walk starts right after
 * the last checkpoint before it (whose signed head is the trusted previous digest) and ends on the
 * first checkpoint after it, so every verified link is anchored on both sides where a checkpoint exists.
 */
public final class EventChainVerifier {

    private final EventChainRepository chain;
    private final CheckpointRepository checkpoints;
    private final Supplier<CheckpointVerifier> keys;
    private final List<FileCheckpointSink> copies;
    private final CheckpointPolicy policy;
    private final Clock clock;

    /**
     * @param keys   the checkpoint keys (the JWKS) to check signatures with
     * @param copies checkpoint copies outside the database to take into account
     */
    public EventChainVerifier(EventChainRepository chain, CheckpointRepository checkpoints,
                              Supplier<CheckpointVerifier> keys, List<FileCheckpointSink> copies,
                              CheckpointPolicy policy, Clock clock) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.copies = List.copyOf(copies);
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Verifies the links with positions in {@code [from, to]} (null: from the start, to the head). */
    public ChainVerification verify(Long from, Long to) {
        Set<String> jws = new LinkedHashSet<>(checkpoints.jwsAfter(-1));
        copies.forEach(copy -> jws.addAll(copy.readJws()));
        ChainWalk walk = new ChainWalk(jws, keys.get());
        Optional<EventChainRepository.Head> head = chain.head();
        if (walk.fault() != null) {
            return walk.result();
        }
        long headIndex = head.map(EventChainRepository.Head::chainIndex).orElse(-1L);
        long fromChain = from == null ? 0 : chain.chainIndexAtOrAfter(from).orElse(headIndex + 1);
        long toChain = to == null ? headIndex : chain.chainIndexAtOrBefore(to).orElse(-1L);
        Checkpoint anchor = walk.anchorBefore(fromChain);
        if (anchor != null && anchor.chainIndex() > headIndex) {
            anchor = walk.anchorBefore(headIndex + 1);
        }
        long start = anchor == null ? 0 : anchor.chainIndex() + 1;
        walk.start(start, anchor == null ? EventChainEncoding.GENESIS : anchor.head(), anchor == null ? -1 : anchor.position());
        Checkpoint end = walk.anchorAtOrAfter(Math.max(toChain, start));
        long stop = end == null ? headIndex : Math.min(end.chainIndex(), headIndex);
        boolean toHead = to == null || stop >= headIndex;

        long[] positions = {Long.MAX_VALUE, Long.MIN_VALUE};
        chain.walk(start, stop, link -> {
            if (walk.fault() != null) {
                return;
            }
            positions[0] = Math.min(positions[0], link.position());
            positions[1] = Math.max(positions[1], link.position());
            if (link.chainIndex() != walk.expected()) {
                walk.fail(new Fault(link.position(), walk.expected(), Fault.MISSING, "chain links " + walk.expected()
                        + ".." + (link.chainIndex() - 1) + " were removed (with their events) before position " + link.position()));
            } else if (link.stored() == null || !link.stored().eventId().equals(link.eventId())) {
                walk.fail(misplaced(link));
            } else {
                walk.accept(link.stored(), link.digest());
            }
        });
        if (walk.fault() == null && walk.expected() <= stop) {
            walk.fail(new Fault(walk.lastPosition() + 1, walk.expected(), Fault.MISSING,
                    "chain links from " + walk.expected() + " were removed (with their events)"));
        }
        walk.endOfChain(toHead);
        if (walk.fault() == null && positions[0] <= positions[1]) {
            // from the very start when the range does: an event forged below the first position counts too
            chain.firstUnchained(from == null ? Long.MIN_VALUE : positions[0], positions[1], chain.pendingGaps()).ifPresent(position ->
                    walk.fail(new Fault(position, -1, Fault.INSERTED,
                            "the event store holds an event at position " + position + " that the chain never received")));
        }
        if (walk.fault() == null && toHead) {
            unsignedTailTooOld(walk);
        }
        return walk.result();
    }

    private Fault misplaced(EventChainRepository.StoredLink link) {
        Optional<Long> elsewhere = chain.positionOf(link.eventId());
        if (elsewhere.isPresent()) {
            return new Fault(link.position(), link.chainIndex(), Fault.REORDERED, "the event " + link.eventId()
                    + " chained at position " + link.position() + " is stored at position " + elsewhere.get());
        }
        if (link.stored() == null) {
            return new Fault(link.position(), link.chainIndex(), Fault.MISSING,
                    "the event " + link.eventId() + " at position " + link.position() + " was removed");
        }
        return new Fault(link.position(), link.chainIndex(), Fault.CHANGED, "the event at position " + link.position()
                + " was replaced (" + link.eventId() + " became " + link.stored().eventId() + ")");
    }

    /**
     * Links not yet signed are normal (up to the policy's N events or T seconds); many more, or older,
     * mean checkpoints were removed everywhere or signing stopped.
     */
    private void unsignedTailTooOld(ChainWalk walk) {
        long unsigned = walk.unsignedTail();
        if (unsigned <= 0) {
            return;
        }
        long firstUnsigned = walk.result().signedThroughChainIndex() + 1;
        Instant chainedAt = chain.chainedAt(firstUnsigned).orElse(clock.instant());
        Duration grace = policy.interval().multipliedBy(2).plus(policy.tick()).plusSeconds(60);
        if (unsigned > 2L * policy.everyEvents() || Duration.between(chainedAt, clock.instant()).compareTo(grace) > 0) {
            long position = chain.at(firstUnsigned).map(EventChainRepository.Head::position).orElse(-1L);
            walk.fail(new Fault(position, firstUnsigned, Fault.UNSIGNED_TAIL, unsigned
                    + " events from chain index " + firstUnsigned + " have no checkpoint although the policy ("
                    + policy.everyEvents() + " events / " + policy.interval() + ") should have signed them"));
        }
    }

    /** Writes the links of {@code [from, to]} as export lines (the range widened like {@link #verify}). */
    public void export(Long from, Long to, java.util.function.Consumer<ChainLink> out) {
        List<String> jws = new ArrayList<>(checkpoints.jwsAfter(-1));
        ChainWalk anchors = new ChainWalk(jws, keys.get());
        long headIndex = chain.head().map(EventChainRepository.Head::chainIndex).orElse(-1L);
        long fromChain = from == null ? 0 : chain.chainIndexAtOrAfter(from).orElse(headIndex + 1);
        long toChain = to == null ? headIndex : chain.chainIndexAtOrBefore(to).orElse(-1L);
        Checkpoint anchor = anchors.anchorBefore(Math.min(fromChain, headIndex + 1));
        long start = anchor == null ? 0 : anchor.chainIndex() + 1;
        chain.walk(start, toChain, link -> {
            if (link.stored() != null) {
                out.accept(link.stored().withChain(link.chainIndex(), link.digest()));
            }
        });
    }
}
