package dev.tokenbroker.core.api;

import org.axonframework.serialization.Revision;

/**
 * The token set was crypto-shredded: every data key up to {@code erasedThroughKeyVersion} is destroyed,
 * so the ciphertexts in earlier events can no longer be opened. Their metadata stays readable.
 *
 * @param dataKeysDestroyed how many data-key rows were deleted by this erase
 */
@Revision("1")
public record TokenSetErased(
        TokenSetId tokenSetId,
        int erasedThroughKeyVersion,
        int dataKeysDestroyed,
        Actor actor,
        String cause) implements TokenSetEvent {
}
