package dev.tokenbroker.core.crypto;

import dev.tokenbroker.core.api.TokenSetId;
import java.util.Objects;

/** One data key: a token set's data key of one version (one row of {@code token_set_data_key}). */
public record DataKeyId(TokenSetId tokenSetId, int keyVersion) {

    public DataKeyId {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
    }

    @Override
    public String toString() {
        return tokenSetId + "/v" + keyVersion;
    }
}
