package dev.tokenbroker.core.api;

import org.axonframework.serialization.Revision;

/**
 * An API client received the access token of this token version. At most once per (client, token version).
 *
 * @param exchangedFor the end user's token the client presented in a token exchange (RFC 8693);
 *                     {@code null} for the token API and for events stored before exchange existed.
 *                     Added as an optional component within revision 1: old events read with it null.
 */
@Revision("1")
public record AccessTokenHandedOut(
        TokenSetId tokenSetId,
        String clientId,
        long tokenVersion,
        Actor actor,
        String cause,
        ExchangedSubjectToken exchangedFor) implements TokenSetEvent {

    /** A hand-out through the token API (no subject token). */
    public AccessTokenHandedOut(TokenSetId tokenSetId, String clientId, long tokenVersion, Actor actor, String cause) {
        this(tokenSetId, clientId, tokenVersion, actor, cause, null);
    }
}
