package dev.tokenbroker.projections.chain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The canonical encoding of a stored event and the chain step
 * {@code digest_n = SHA-256(digest_(n-1) || canonical(event_n))}, specified byte for byte in
 * {@code docs/tamper-evidence.md} so that an outside verifier can recompute it.
 *
 * <p>The encoding covers the event as stored (every column of {@code domainevententry}), with the
 * payload and metadata bytes represented by their SHA-256: the digest commits to the exact ciphertext
 * bytes, yet an export carrying only the hashes (never ciphertext) can be verified.
 */
public final class EventChainEncoding {

    /** Version byte at the start of every canonical encoding. */
    static final byte VERSION = 1;

    /** {@code digest_(-1)}: SHA-256 of the ASCII string {@code token-broker event chain v1}. */
    public static final byte[] GENESIS = sha256("token-broker event chain v1".getBytes(StandardCharsets.US_ASCII));

    private static final int NULL_LENGTH = 0xFFFFFFFF;

    /** One digest per thread, reset after each use: {@code MessageDigest.getInstance} per event is measurable. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(EventChainEncoding::sha256);

    private EventChainEncoding() {
    }

    /** The canonical bytes of an event (its {@code chainIndex} and {@code digest} are not part of them). */
    public static byte[] canonical(ChainLink e) {
        byte[][] strings = {utf8(e.eventId()), utf8(e.aggregateId()), utf8(e.type()), utf8(e.payloadType()),
                utf8(e.payloadRevision()), utf8(e.timestamp())};
        int size = 1 + 8 + 8 + 2 * 33;
        for (byte[] s : strings) {
            size += 4 + (s == null ? 0 : s.length);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION);
        out.putLong(e.position());
        putString(out, strings[0]);
        putString(out, strings[1]);
        out.putLong(e.sequenceNumber());
        putString(out, strings[2]);
        putString(out, strings[3]);
        putString(out, strings[4]);
        putString(out, strings[5]);
        putHash(out, e.payloadSha256());
        putHash(out, e.metadataSha256());
        return out.array();
    }

    /** {@code SHA-256(previous || canonical(event))}. */
    public static byte[] next(byte[] previous, ChainLink event) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        sha.update(previous);
        sha.update(canonical(event));
        return sha.digest();
    }

    /** SHA-256 of the bytes; {@code null} for {@code null} (a column without a value). */
    public static byte[] hashOrNull(byte[] bytes) {
        return bytes == null ? null : sha256(bytes);
    }

    static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer out, byte[] s) {
        if (s == null) {
            out.putInt(NULL_LENGTH);
        } else {
            out.putInt(s.length);
            out.put(s);
        }
    }

    private static void putHash(ByteBuffer out, byte[] hash) {
        if (hash == null) {
            out.put((byte) 0);
            out.put(new byte[32]);
        } else {
            if (hash.length != 32) {
                throw new IllegalArgumentException("a SHA-256 hash has 32 bytes, not " + hash.length);
            }
            out.put((byte) 1);
            out.put(hash);
        }
    }
}
