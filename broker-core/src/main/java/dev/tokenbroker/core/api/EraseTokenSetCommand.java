package dev.tokenbroker.core.api;

import java.util.Objects;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Crypto-shred the token set: destroy every data-key version. The history stays readable; erasing twice is a no-op. */
public record EraseTokenSetCommand(
        @TargetAggregateIdentifier TokenSetId tokenSetId,
        Actor actor,
        String cause) {

    public EraseTokenSetCommand {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(cause, "cause");
    }
}
