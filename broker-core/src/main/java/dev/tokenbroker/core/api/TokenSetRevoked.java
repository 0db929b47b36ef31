package dev.tokenbroker.core.api;

import org.axonframework.serialization.Revision;

/**
 * The token set was revoked. When the command asked to erase, {@link TokenSetErased} follows.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7009">RFC 7009: OAuth 2.0 Token Revocation</a>
 */
@Revision("1")
public record TokenSetRevoked(
        TokenSetId tokenSetId,
        UpstreamRevocationOutcome upstreamOutcome,
        String upstreamDetail,
        Actor actor,
        String cause) implements TokenSetEvent {
}
