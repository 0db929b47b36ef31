package dev.tokenbroker.projections.tokenset;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.TokenValue;

/**
 * The answer to "give me this user's access token at this connector": either the token, or the typed
 * reason there is none, so the API can map each case to its problem type without catching exceptions.
 */
public sealed interface CurrentAccessToken {

    /**
     * The decrypted current access token. Redacts itself in {@code toString()} (through {@link TokenValue}).
     *
     * @param expiresAt {@code null} when the access token does not expire
     * @param status    ACTIVE, or REFRESH_FAILING while a retry is scheduled (the token may still be valid)
     */
    record Available(
            TokenSetId tokenSetId,
            TokenValue accessToken,
            Instant expiresAt,
            Set<String> grantedScopes,
            TokenSetStatus status,
            long tokenVersion) implements CurrentAccessToken {

        public Available {
            Objects.requireNonNull(tokenSetId, "tokenSetId");
            Objects.requireNonNull(accessToken, "accessToken");
            grantedScopes = Set.copyOf(grantedScopes);
        }

        /** Whether the token is still valid for at least {@code minimumValidity} after {@code now}. */
        public boolean validFor(Duration minimumValidity, Instant now) {
            return expiresAt == null || !expiresAt.isBefore(now.plus(minimumValidity));
        }
    }

    /** The user never linked an account at this connector. */
    record NotLinked(String userId, String connectorId) implements CurrentAccessToken {
    }

    /** The grant is dead; the user must link again. */
    record NeedsReauthorization(TokenSetId tokenSetId, String reason) implements CurrentAccessToken {
    }

    /** Revoked (by the user or an admin); the user must link again. */
    record Revoked(TokenSetId tokenSetId, Instant revokedAt) implements CurrentAccessToken {
    }

    /** Crypto-shredded: the token material is gone for good; the user must link again. */
    record Erased(TokenSetId tokenSetId, Instant erasedAt) implements CurrentAccessToken {
    }
}
