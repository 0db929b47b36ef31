package dev.tokenbroker.projections.chain;

import static dev.tokenbroker.projections.chain.ChainVerification.Fault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tokenbroker.projections.chain.CheckpointVerifier.InvalidCheckpointException;

/**
 * The verification walk shared by the server and the offline verifier: recompute each link from the
 * previous digest, compare with the digest claimed for it, and compare every digest a checkpoint
 * signed with the recomputed one. Stops at the first fault.
 */
final class ChainWalk {

    private static final Logger log = LoggerFactory.getLogger(ChainWalk.class);
    private static final long PROGRESS_EVERY = 500_000;

    private final TreeMap<Long, List<Checkpoint>> checkpoints = new TreeMap<>();
    private final long started = System.nanoTime();

    private long firstChainIndex;
    private long expected;
    private byte[] previous;
    private long verified;
    private long checkpointsVerified;
    private long signedThroughChainIndex = -1;
    private long signedThroughPosition = -1;
    private long firstPositionAfterSigned = -1;
    private long lastPosition = -1;
    private Fault fault;

    /** Checks every checkpoint's signature; the first bad one is the walk's fault. */
    ChainWalk(Collection<String> checkpointJws, CheckpointVerifier keys) {
        for (String jws : checkpointJws) {
            try {
                Checkpoint c = keys.verify(jws);
                checkpoints.computeIfAbsent(c.chainIndex(), k -> new ArrayList<>()).add(c);
            } catch (InvalidCheckpointException e) {
                long position = -1;
                long chainIndex = -1;
                try {
                    Checkpoint claimed = CheckpointVerifier.unverified(jws);
                    position = claimed.position();
                    chainIndex = claimed.chainIndex();
                } catch (IllegalArgumentException unreadable) {
                    // position unknown
                }
                Fault bad = new Fault(position, chainIndex, Fault.BAD_CHECKPOINT, "checkpoint " + chainIndex + ": " + e.getMessage());
                if (fault == null || chainIndex < fault.chainIndex()) {
                    fault = bad;
                }
            }
        }
    }

    Fault fault() {
        return fault;
    }

    /** The last checkpoint strictly before {@code chainIndex}, to start a walk from. */
    Checkpoint anchorBefore(long chainIndex) {
        Map.Entry<Long, List<Checkpoint>> entry = checkpoints.lowerEntry(chainIndex);
        return entry == null ? null : entry.getValue().get(0);
    }

    /** The first checkpoint at or after {@code chainIndex}, to end a walk on. */
    Checkpoint anchorAtOrAfter(long chainIndex) {
        Map.Entry<Long, List<Checkpoint>> entry = checkpoints.ceilingEntry(chainIndex);
        return entry == null ? null : entry.getValue().get(0);
    }

    Checkpoint latestCheckpoint() {
        return checkpoints.isEmpty() ? null : checkpoints.lastEntry().getValue().get(0);
    }

    /** Starts at {@code chainIndex} (0, or right after the anchor checkpoint whose head is {@code previous}). */
    void start(long chainIndex, byte[] previousDigest, long anchorPosition) {
        firstChainIndex = chainIndex;
        expected = chainIndex;
        previous = previousDigest;
        if (chainIndex > 0) {
            signedThroughChainIndex = chainIndex - 1;
            signedThroughPosition = anchorPosition;
        }
    }

    long expected() {
        return expected;
    }

    /** Checks the next link; answers false (and records the fault) when it does not hold. */
    boolean accept(ChainLink event, byte[] claimedDigest) {
        if (fault != null) {
            return false;
        }
        if (firstPositionAfterSigned < 0) {
            firstPositionAfterSigned = event.position();
        }
        byte[] digest = EventChainEncoding.next(previous, event);
        if (!Arrays.equals(digest, claimedDigest)) {
            return fail(new Fault(event.position(), expected, Fault.CHANGED,
                    "the event at chain index " + expected + " does not hash to the chain's digest"));
        }
        List<Checkpoint> signed = checkpoints.get(expected);
        if (signed != null) {
            for (Checkpoint c : signed) {
                if (c.position() != event.position() || !Arrays.equals(c.head(), digest)) {
                    return fail(new Fault(firstPositionAfterSigned, expected, Fault.CHANGED,
                            "the chain disagrees with the checkpoint signed for chain index " + expected
                                    + " (position " + c.position() + "): events after position " + signedThroughPosition
                                    + " up to it were changed, removed or inserted and the chain recomputed"));
                }
            }
            checkpointsVerified++;
            signedThroughChainIndex = expected;
            signedThroughPosition = event.position();
            firstPositionAfterSigned = -1;
        }
        previous = digest;
        lastPosition = event.position();
        expected++;
        verified++;
        if (verified % PROGRESS_EVERY == 0) {
            log.info("event chain verification: {} events verified, at chain index {}", verified, expected - 1);
        }
        return true;
    }

    void replaceFault(Fault f) {
        fault = f;
    }

    boolean fail(Fault f) {
        if (fault == null) {
            fault = f;
        }
        return false;
    }

    /** After the last link: signed checkpoints beyond it mean the chain (or export) lost its tail. */
    void endOfChain(boolean checkLaterCheckpoints) {
        if (fault != null || !checkLaterCheckpoints) {
            return;
        }
        Map.Entry<Long, List<Checkpoint>> later = checkpoints.ceilingEntry(expected);
        if (later != null) {
            Checkpoint c = later.getValue().get(0);
            fail(new Fault(c.position(), expected, Fault.MISSING, "a checkpoint signed chain index " + c.chainIndex()
                    + " (position " + c.position() + ") but the chain ends at chain index " + (expected - 1)
                    + ": its tail was removed"));
        }
    }

    long lastPosition() {
        return lastPosition;
    }

    long firstPositionAfterSigned() {
        return firstPositionAfterSigned;
    }

    long unsignedTail() {
        return (expected - 1) - signedThroughChainIndex;
    }

    ChainVerification result() {
        long nanos = Math.max(1, System.nanoTime() - started);
        long perSecond = verified * 1_000_000_000L / nanos;
        if (fault != null) {
            return new ChainVerification(ChainVerification.BROKEN, fault.position(), fault.chainIndex(), fault.reason(),
                    fault.detail(), firstChainIndex, expected - 1, verified, checkpointsVerified,
                    signedThroughChainIndex, signedThroughPosition, unsignedTail(), perSecond);
        }
        return new ChainVerification(ChainVerification.OK, null, null, null, null, firstChainIndex, expected - 1,
                verified, checkpointsVerified, signedThroughChainIndex, signedThroughPosition, unsignedTail(), perSecond);
    }
}
