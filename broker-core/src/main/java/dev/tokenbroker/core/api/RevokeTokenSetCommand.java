package dev.tokenbroker.core.api;

import java.util.Objects;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Record that the token set was revoked, after the upstream revocation (RFC 7009) was attempted.
 *
 * @param upstreamDetail optional detail of the upstream answer (HTTP status, error code); never token material
 * @param erase          also crypto-shred the token material (the default per DESIGN.md: revocation erases)
 */
public record RevokeTokenSetCommand(
        @TargetAggregateIdentifier TokenSetId tokenSetId,
        UpstreamRevocationOutcome upstreamOutcome,
        String upstreamDetail,
        boolean erase,
        Actor actor,
        String cause) {

    public RevokeTokenSetCommand {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(upstreamOutcome, "upstreamOutcome");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(cause, "cause");
    }
}
