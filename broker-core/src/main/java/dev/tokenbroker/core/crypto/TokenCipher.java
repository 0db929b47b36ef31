package dev.tokenbroker.core.crypto;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;

/**
 * Encrypts and decrypts the token material of token sets with envelope encryption: each token set
 * has its own data key (DEK) per key version, which is wrapped by the key-encryption key (KEK) and kept
 * outside the event store.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Confidentiality and integrity of each token under AEAD ({@code AES256_GCM}, Tink): a flipped bit
 *       makes {@link #open} fail with {@link TokenDecryptionException}, never return garbage.</li>
 *   <li>Binding: the associated data is (token set id, purpose, key version). A ciphertext moved to another
 *       token set, another purpose (e.g. refresh into access) or another key version does not decrypt.</li>
 *   <li>Encryption is randomized (fresh 96-bit nonce per call): sealing the same token twice gives two
 *       different ciphertexts, so equal tokens are not recognizable in the event store.</li>
 *   <li>Crypto-shredding: after {@link #destroyDataKeys} the DEKs are deleted; the ciphertexts in the
 *       event history cannot be opened any more, not even with the KEK, and {@link #open} answers
 *       {@link TokenMaterialErasedException}.</li>
 *   <li>Not guaranteed: hiding the length of a token, or protection against someone holding both the
 *       database and the KEK (they can unwrap every DEK that still exists).</li>
 * </ul>
 *
 * @see <a href="https://developers.google.com/tink/client-side-encryption">Tink: envelope encryption</a>
 * @see <a href="https://developers.google.com/tink/aead">Tink: AEAD</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc5116">RFC 5116: An Interface and Algorithms for Authenticated Encryption</a>
 */
public interface TokenCipher {

    /**
     * Encrypts a token under the token set's data key of the given version, creating that data key on
     * first use. Refuses key versions that were erased.
     */
    SealedToken seal(TokenSetId tokenSetId, TokenPurpose purpose, int keyVersion, TokenValue token);

    /**
     * Decrypts a token of this token set.
     *
     * @throws TokenMaterialErasedException when the token set's data key was destroyed (crypto-shredded)
     * @throws TokenDecryptionException     when the ciphertext does not authenticate for this token set,
     *                                      purpose and key version, or no such data key exists
     */
    TokenValue open(TokenSetId tokenSetId, SealedToken sealed);

    /**
     * Crypto-shreds the token set: destroys every data-key version up to and including
     * {@code throughKeyVersion} and remembers that they were erased. Idempotent.
     *
     * @return how many data keys were destroyed by this call
     */
    int destroyDataKeys(TokenSetId tokenSetId, int throughKeyVersion);
}
