package dev.tokenbroker.connectors.testkit;

import java.util.Objects;
import java.util.Optional;

/**
 * A revocation request as the simulated IdP received it.
 *
 * @param token         the token value sent
 * @param tokenTypeHint the RFC 7009 {@code token_type_hint}, when sent
 */
public record RevocationCall(String token, Optional<String> tokenTypeHint) {
    public RevocationCall {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(tokenTypeHint, "tokenTypeHint");
    }

    @Override
    public String toString() {
        return "RevocationCall[token=<redacted>, tokenTypeHint=" + tokenTypeHint + "]";
    }
}
