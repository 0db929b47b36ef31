package dev.tokenbroker.core.api;

import java.util.Objects;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Record that an API client received the access token of the given token version. At most one event per
 * (client, current token version): repeats are accepted and ignored.
 *
 * @param exchangedFor the end user's token presented in a token exchange, or {@code null} for the token API
 */
public record RecordAccessTokenHandOutCommand(
        @TargetAggregateIdentifier TokenSetId tokenSetId,
        String clientId,
        long tokenVersion,
        Actor actor,
        String cause,
        ExchangedSubjectToken exchangedFor) {

    public RecordAccessTokenHandOutCommand {
        Objects.requireNonNull(tokenSetId, "tokenSetId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(cause, "cause");
    }

    /** A hand-out through the token API. */
    public RecordAccessTokenHandOutCommand(TokenSetId tokenSetId, String clientId, long tokenVersion, Actor actor,
                                           String cause) {
        this(tokenSetId, clientId, tokenVersion, actor, cause, null);
    }
}
