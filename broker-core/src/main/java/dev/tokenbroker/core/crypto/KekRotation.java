package dev.tokenbroker.core.crypto;

import java.time.Duration;

/**
 * The result of one {@link KekRotationService#rotateTo} run.
 *
 * @param rewrapped data keys this run rewrapped
 * @param skipped   data keys that changed meanwhile (erased, or rewrapped by another instance)
 * @param failed    data keys that could not be unwrapped (logged by id); the run keeps going, run it again after fixing
 * @param progress  the database's view right after the run
 */
public record KekRotation(String kekId, long rewrapped, long skipped, long failed, Duration took, KekRotationProgress progress) {
}
