package dev.tokenbroker.api.admin;

import dev.tokenbroker.api.issuer.SigningKeyRing;
import dev.tokenbroker.api.issuer.SigningKeyStore;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import dev.tokenbroker.core.crypto.KekRotation;
import dev.tokenbroker.core.crypto.KekRotationProgress;
import dev.tokenbroker.core.crypto.KekRotationService;
import dev.tokenbroker.core.crypto.KekSettings;
import dev.tokenbroker.core.crypto.LocalKeysetFile;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * KEK rotation for a local keyset (scope {@code admin}): add a new primary key, rewrap every data
 * key (events are never rewritten), rotate the API signing key onto it; once progress is complete
 * the old keys can be disabled. With a KMS, rotate the key in the KMS instead (key versions are
 * transparent to the broker) or point {@code broker.crypto.kek.key-uri} at a new key.
 *
 * <p>With several instances: each instance holds the keyset in memory, so restart the others after
 * {@code rotate} and before {@code disable-old-keys}.
 */
@RestController
@RequestMapping(path = "/v1/admin/kek", produces = MediaType.APPLICATION_JSON_VALUE)
final class AdminKekController {

    private final KekRotationService rotation;
    private final SigningKeyStore signingKeys;
    private final SigningKeyRing keyRing;
    private final KekSettings kekSettings;

    AdminKekController(KekRotationService rotation, SigningKeyStore signingKeys, SigningKeyRing keyRing,
                       KekSettings kekSettings) {
        this.rotation = rotation;
        this.signingKeys = signingKeys;
        this.keyRing = keyRing;
        this.kekSettings = kekSettings;
    }

    @GetMapping("/progress")
    KekRotationProgress progress() {
        return rotation.progress();
    }

    @PostMapping("/rotate")
    synchronized KekRotation rotate() {
        LocalKeysetFile keyset = localKeyset().orElseThrow(() -> new ApiProblemException(ProblemType.INVALID_REQUEST,
                "The KEK is not a local keyset: rotate it in the KMS, or set broker.crypto.kek.key-uri to a new key"));
        KekRotation result = rotation.rotateTo(keyset.addPrimaryKey());
        signingKeys.rotate();
        keyRing.reload();
        return result;
    }

    @PostMapping("/disable-old-keys")
    synchronized KekRotationProgress disableOldKeys() {
        LocalKeysetFile keyset = localKeyset().orElseThrow(() -> new ApiProblemException(ProblemType.INVALID_REQUEST,
                "The KEK is not a local keyset"));
        KekRotationProgress progress = rotation.progress();
        if (!progress.complete()) {
            throw new ApiProblemException(ProblemType.INVALID_REQUEST, progress.remaining()
                    + " data keys are still wrapped by an older KEK key: run rotate again first");
        }
        keyset.disableNonPrimaryKeys();
        return progress;
    }

    private Optional<LocalKeysetFile> localKeyset() {
        return kekSettings.localKeysetFile().map(LocalKeysetFile::new);
    }
}
