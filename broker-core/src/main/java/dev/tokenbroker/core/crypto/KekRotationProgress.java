package dev.tokenbroker.core.crypto;

/**
 * How far the rewrap to a KEK has come, as the database sees it (so any instance can ask).
 *
 * @param kekId        the KEK data keys are being rewrapped to
 * @param total        data keys that exist now
 * @param wrappedByKek of those, already wrapped by {@code kekId}
 */
public record KekRotationProgress(String kekId, long total, long wrappedByKek) {

    public long remaining() {
        return total - wrappedByKek;
    }

    /** Every existing data key is wrapped by the new KEK: the old KEK key can be disabled. */
    public boolean complete() {
        return wrappedByKek == total;
    }
}
