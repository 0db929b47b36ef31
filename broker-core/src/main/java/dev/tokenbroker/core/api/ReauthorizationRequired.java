package dev.tokenbroker.core.api;

import org.axonframework.serialization.Revision;

/**
 * The grant cannot be used any more; the user must link again.
 *
 * @param reason e.g. the IdP's {@code invalid_grant}, or an admin's reason
 */
@Revision("1")
public record ReauthorizationRequired(
        TokenSetId tokenSetId,
        String reason,
        Actor actor,
        String cause) implements TokenSetEvent {
}
