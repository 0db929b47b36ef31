package dev.tokenbroker.projections.chain;

/**
 * The outcome of verifying the chain (or an export of it) over a range.
 *
 * @param status          {@code ok} or {@code broken}
 * @param position        broken: the global position of the first bad event (or the bad checkpoint's position)
 * @param chainIndex      broken: the chain index where the fault shows
 * @param reason          broken: {@code changed|missing|reordered|inserted|unsigned_tail|bad_checkpoint}
 * @param detail          broken: what was found, for people
 * @param fromChainIndex  the first link checked (the walk starts right after a checkpoint, or at 0)
 * @param toChainIndex    the last link checked
 * @param eventsVerified  links recomputed
 * @param checkpointsVerified checkpoints whose signature and head matched
 * @param signedThroughChainIndex the last chain index covered by a matching checkpoint, -1 for none
 * @param signedThroughPosition   its position, -1 for none
 * @param unsignedTail    checked links after the last matching checkpoint (not yet signed)
 * @param eventsPerSecond verification speed
 */
public record ChainVerification(String status, Long position, Long chainIndex, String reason, String detail,
                                long fromChainIndex, long toChainIndex, long eventsVerified, long checkpointsVerified,
                                long signedThroughChainIndex, long signedThroughPosition, long unsignedTail,
                                long eventsPerSecond) {

    public static final String OK = "ok";
    public static final String BROKEN = "broken";

    public boolean ok() {
        return OK.equals(status);
    }

    /** A fault found while walking. */
    public record Fault(long position, long chainIndex, String reason, String detail) {

        public static final String CHANGED = "changed";
        public static final String MISSING = "missing";
        public static final String REORDERED = "reordered";
        public static final String INSERTED = "inserted";
        public static final String UNSIGNED_TAIL = "unsigned_tail";
        public static final String BAD_CHECKPOINT = "bad_checkpoint";
    }
}
