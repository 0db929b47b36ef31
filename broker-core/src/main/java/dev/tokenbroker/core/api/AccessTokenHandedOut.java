package dev.tokenbroker.core.api;

import org.axonframework.serialization.Revision;

/** An API client received the access token of this token version. At most once per (client, token version). */
@Revision("1")
public record AccessTokenHandedOut(
        TokenSetId tokenSetId,
        String clientId,
        long tokenVersion,
        Actor actor,
        String cause) implements TokenSetEvent {
}
