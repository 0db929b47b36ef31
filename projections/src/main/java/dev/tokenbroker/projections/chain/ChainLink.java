package dev.tokenbroker.projections.chain;

import java.util.Arrays;
import java.util.Base64;

/**
 * One chained event as exported ({@code GET /v1/audit/chain/export}, one NDJSON line each): the
 * stored event's columns, its payload and metadata as SHA-256 (never the ciphertext), its place in the
 * chain and the chain's digest after it. Hashes are base64url without padding in JSON.
 *
 * @param position       the event's global index ({@code domainevententry.globalindex})
 * @param chainIndex     its place in the chain: 0, 1, 2 ... in the order the chain received the events
 * @param payloadSha256  SHA-256 of the stored payload bytes (ciphertext for token material)
 * @param metadataSha256 SHA-256 of the stored metadata bytes, {@code null} when the column is null
 * @param digest         {@code SHA-256(digest of chainIndex - 1 || canonical(this event))}
 */
public record ChainLink(long position, long chainIndex, String eventId, String aggregateId, long sequenceNumber,
                        String type, String payloadType, String payloadRevision, String timestamp,
                        byte[] payloadSha256, byte[] metadataSha256, byte[] digest) {

    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** The same event at another place in the chain, or with another digest. */
    public ChainLink withChain(long newChainIndex, byte[] newDigest) {
        return new ChainLink(position, newChainIndex, eventId, aggregateId, sequenceNumber, type, payloadType,
                payloadRevision, timestamp, payloadSha256, metadataSha256, newDigest);
    }

    static String encode(byte[] bytes) {
        return bytes == null ? null : B64.encodeToString(bytes);
    }

    static byte[] decode(String text) {
        return text == null ? null : B64D.decode(text);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChainLink l && position == l.position && chainIndex == l.chainIndex
                && sequenceNumber == l.sequenceNumber && java.util.Objects.equals(eventId, l.eventId)
                && java.util.Objects.equals(aggregateId, l.aggregateId) && java.util.Objects.equals(type, l.type)
                && java.util.Objects.equals(payloadType, l.payloadType)
                && java.util.Objects.equals(payloadRevision, l.payloadRevision)
                && java.util.Objects.equals(timestamp, l.timestamp) && Arrays.equals(payloadSha256, l.payloadSha256)
                && Arrays.equals(metadataSha256, l.metadataSha256) && Arrays.equals(digest, l.digest);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(position, chainIndex, eventId) * 31 + Arrays.hashCode(digest);
    }
}
