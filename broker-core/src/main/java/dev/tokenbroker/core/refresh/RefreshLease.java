package dev.tokenbroker.core.refresh;

import dev.tokenbroker.core.api.TokenSetId;
import java.util.OptionalLong;

/**
 * The right to call the IdP with a token set's refresh token, held by one attempt on one instance until it is
 * released or expires.
 *
 * @param owner                     unique per attempt (instance id + attempt id), so a release never frees someone else's lease
 * @param inDoubtRefreshTokenVersion left behind by an earlier holder that called the IdP with this refresh-token version and
 *                                  died before it could persist the answer; empty when the last holder finished cleanly
 */
public record RefreshLease(TokenSetId tokenSetId, String owner, OptionalLong inDoubtRefreshTokenVersion) {

    /** True when an earlier attempt may have made the IdP rotate away the refresh token of this version. */
    public boolean inDoubtFor(long refreshTokenVersion) {
        return inDoubtRefreshTokenVersion.isPresent() && inDoubtRefreshTokenVersion.getAsLong() == refreshTokenVersion;
    }
}
