package dev.tokenbroker.connectors;

import java.util.Objects;
import java.util.Optional;

/**
 * The user's account at the IdP.
 *
 * @param subject     stable, never reassigned identifier: the ID token's {@code sub}, or GitHub's
 *                    numeric user id (not the login, which users can rename)
 * @param displayName a human-readable name where the IdP has one (name, login or e-mail)
 * @see <a href="https://openid.net/specs/openid-connect-core-1_0.html#ClaimStability">OIDC Core §5.7</a>
 */
public record UpstreamAccount(String subject, Optional<String> displayName) {
    public UpstreamAccount {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(displayName, "displayName");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
    }
}
