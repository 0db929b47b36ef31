package dev.tokenbroker.core.api;

import java.util.Objects;

/**
 * Which end user's token a hand-out was exchanged for (RFC 8693 {@code subject_token}): enough for
 * audit to tie the hand-out to one login at the app's identity provider, never the token itself.
 *
 * @param issuerId the broker's id of the trusted issuer ({@code broker.token-exchange.issuers.<id>})
 * @param issuer   the token's {@code iss}
 * @param subject  the token's subject (the claim the issuer is configured to read the user id from)
 * @param tokenId  the token's {@code jti}, or {@code null} when it has none
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.1">RFC 8693 section 2.1</a>
 */
public record ExchangedSubjectToken(String issuerId, String issuer, String subject, String tokenId) {

    public ExchangedSubjectToken {
        Objects.requireNonNull(issuerId, "issuerId");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
    }
}
