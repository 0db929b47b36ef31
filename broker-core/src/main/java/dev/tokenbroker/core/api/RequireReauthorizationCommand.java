package dev.tokenbroker.core.api;

import java.util.Objects;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Mark the token set as needing a new link (e.g. an admin decision, or a connector detecting a changed subject). */
public record RequireReauthorizationCommand(
        @TargetAggregateIdentifier TokenSetId tokenSetId,
        String reason,
        Actor actor,
        String cause) {

    public RequireReauthorizationCommand {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(cause, "cause");
    }
}
