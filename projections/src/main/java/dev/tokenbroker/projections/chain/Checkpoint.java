package dev.tokenbroker.projections.chain;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A signed statement "the chain's link {@code chainIndex} is at {@code position} and its digest is
 * {@code head}" ({@code count = chainIndex + 1} events chained so far). The compact JWS is the
 * checkpoint; the other fields are what it says, read from it after its signature was checked.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7515">RFC 7515 (JSON Web Signature)</a>
 */
public record Checkpoint(long chainIndex, long position, byte[] head, Instant signedAt, String keyId, String jws) {

    /** The JWS {@code typ} header of a checkpoint. */
    public static final String TYPE = "tb-chain-checkpoint+jwt";

    public Checkpoint {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(signedAt, "signedAt");
        Objects.requireNonNull(jws, "jws");
    }

    public long count() {
        return chainIndex + 1;
    }

    public String headText() {
        return ChainLink.encode(head);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.chainIndex == chainIndex && c.position == position
                && Arrays.equals(c.head, head) && c.jws.equals(jws);
    }

    @Override
    public int hashCode() {
        return jws.hashCode();
    }

    @Override
    public String toString() {
        return "Checkpoint[chainIndex=" + chainIndex + ", position=" + position + ", head=" + headText()
                + ", signedAt=" + signedAt + ", keyId=" + keyId + "]";
    }
}
