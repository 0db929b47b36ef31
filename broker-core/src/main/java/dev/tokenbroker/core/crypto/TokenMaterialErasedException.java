package dev.tokenbroker.core.crypto;

import dev.tokenbroker.core.api.TokenSetId;

/** The token set's data key was destroyed on erase: its token material is gone for good. An expected outcome, not a fault. */
public final class TokenMaterialErasedException extends TokenCipherException {

    private final TokenSetId tokenSetId;

    public TokenMaterialErasedException(TokenSetId tokenSetId, int keyVersion) {
        super("Token material of token set " + tokenSetId + " (key version " + keyVersion
                + ") was erased (crypto-shredded); link the account again to get new tokens");
        this.tokenSetId = tokenSetId;
    }

    public TokenSetId tokenSetId() {
        return tokenSetId;
    }
}
