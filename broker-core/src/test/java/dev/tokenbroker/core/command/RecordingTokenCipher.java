package dev.tokenbroker.core.command;

import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.crypto.TokenCipher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic stand-in for the cipher in aggregate tests, so expected events can be written down.
 * Its "ciphertext" is reversible on purpose: the aggregate's rules, not encryption, are under test here.
 */
final class RecordingTokenCipher implements TokenCipher {

    final List<String> destroyed = new ArrayList<>();

    static SealedToken sealed(TokenSetId id, TokenPurpose purpose, int keyVersion, String token) {
        return new SealedToken(("fake:" + id + ":" + purpose + ":" + keyVersion + ":" + new StringBuilder(token).reverse())
                .getBytes(StandardCharsets.UTF_8), keyVersion, purpose);
    }

    @Override
    public SealedToken seal(TokenSetId tokenSetId, TokenPurpose purpose, int keyVersion, TokenValue token) {
        return sealed(tokenSetId, purpose, keyVersion, token.reveal());
    }

    @Override
    public TokenValue open(TokenSetId tokenSetId, SealedToken sealed) {
        throw new UnsupportedOperationException("the aggregate never decrypts");
    }

    @Override
    public int destroyDataKeys(TokenSetId tokenSetId, int throughKeyVersion) {
        destroyed.add(tokenSetId + "<=" + throughKeyVersion);
        return throughKeyVersion;
    }
}
