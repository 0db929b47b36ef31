package dev.tokenbroker.projections.chain;

import static dev.tokenbroker.projections.chain.ChainVerification.Fault;

import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies an export ({@link ChainLink} lines in chain order) against signed checkpoints and the JWKS,
 * with no database and no network: the export is complete and unaltered between the checkpoints when
 * every link recomputes to its digest, every checkpoint's signed head equals the recomputed digest at
 * its chain index, and the export reaches the last checkpoint.
 *
 * <p>The export must start at chain index 0 or right after a checkpoint (the server's export does),
 * whose signed head is then the trusted previous digest: nothing the export says is taken on trust.
 */
public final class ExportVerifier {

    private final CheckpointVerifier keys;

    public ExportVerifier(CheckpointVerifier keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public ChainVerification verify(Iterator<ChainLink> links, Collection<String> checkpointJws) {
        ChainWalk walk = new ChainWalk(checkpointJws, keys);
        if (walk.fault() != null) {
            return walk.result();
        }
        Peekable export = new Peekable(links);
        if (!export.hasNext()) {
            walk.start(0, EventChainEncoding.GENESIS, -1);
            walk.endOfChain(true);
            return walk.result();
        }
        long first = export.peek().chainIndex();
        Checkpoint anchor = first == 0 ? null : walk.anchorBefore(first);
        if (first != 0 && (anchor == null || anchor.chainIndex() != first - 1)) {
            walk.start(first, EventChainEncoding.GENESIS, -1);
            walk.fail(new Fault(export.peek().position(), first, Fault.MISSING, "the export starts at chain index " + first
                    + ", neither at 0 nor right after a checkpoint: the links before it are missing"));
            return walk.result();
        }
        walk.start(first, anchor == null ? EventChainEncoding.GENESIS : anchor.head(), anchor == null ? -1 : anchor.position());
        Set<String> seen = new HashSet<>();
        while (export.hasNext() && walk.fault() == null) {
            ChainLink link = export.next();
            long expected = walk.expected();
            if (link.chainIndex() < expected || !seen.add(link.eventId())) {
                walk.fail(new Fault(link.position(), link.chainIndex(), Fault.INSERTED,
                        "a second link for chain index " + link.chainIndex() + " or event " + link.eventId()));
            } else if (link.chainIndex() > expected) {
                walk.fail(export.scanFor(expected)
                        ? new Fault(link.position(), expected, Fault.REORDERED,
                        "chain index " + link.chainIndex() + " comes before chain index " + expected)
                        : new Fault(link.position(), expected, Fault.MISSING,
                        "chain links " + expected + ".." + (link.chainIndex() - 1) + " are missing before position " + link.position()));
            } else if (!walk.accept(link, link.digest())) {
                if (export.hasNext() && export.peek().chainIndex() == link.chainIndex()) {
                    walk.replaceFault(new Fault(link.position(), link.chainIndex(), Fault.INSERTED,
                            "a link not in the chain before chain index " + link.chainIndex()));
                }
            }
        }
        walk.endOfChain(true);
        return walk.result();
    }

    /** An iterator that can look one link ahead, or scan the rest for a chain index. */
    private static final class Peekable {
        private final Iterator<ChainLink> links;
        private ChainLink next;

        Peekable(Iterator<ChainLink> links) {
            this.links = links;
        }

        boolean hasNext() {
            return next != null || links.hasNext();
        }

        ChainLink peek() {
            if (next == null) {
                next = links.next();
            }
            return next;
        }

        ChainLink next() {
            ChainLink link = peek();
            next = null;
            return link;
        }

        /** Consumes the rest: is there a link with this chain index? (Only after a fault.) */
        boolean scanFor(long chainIndex) {
            while (hasNext()) {
                if (next().chainIndex() == chainIndex) {
                    return true;
                }
            }
            return false;
        }
    }
}
