package dev.tokenbroker.api.exchange;

import dev.tokenbroker.core.api.ExchangedSubjectToken;
import java.util.Objects;

/**
 * The end user a validated subject token speaks for.
 *
 * @param userId the broker's user id (the configured claim, with the issuer's prefix)
 * @param token  what audit records about the subject token (issuer, subject, jti; never the token)
 */
public record ValidatedSubject(String userId, ExchangedSubjectToken token) {

    public ValidatedSubject {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(token, "token");
    }
}
