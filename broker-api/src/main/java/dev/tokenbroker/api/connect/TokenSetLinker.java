package dev.tokenbroker.api.connect;

import com.nimbusds.oauth2.sdk.Scope;
import dev.tokenbroker.connectors.TokenResult;
import dev.tokenbroker.connectors.UpstreamAccount;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.LinkTokenSetCommand;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.axonframework.commandhandling.gateway.CommandGateway;

/** Turns a finished code exchange into a link (or relink) of the user's token set. */
public final class TokenSetLinker {

    private final CommandGateway commands;

    public TokenSetLinker(CommandGateway commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    public TokenSetId link(ConnectSession session, TokenResult tokens, UpstreamAccount account, Scope requested) {
        TokenSetId id = TokenSetId.of(session.userId(), session.connectorId());
        Set<String> granted = new HashSet<>(tokens.grantedScope().orElse(requested == null ? new Scope() : requested)
                .toStringList());
        commands.sendAndWait(new LinkTokenSetCommand(
                id, session.userId(), session.connectorId(),
                TokenValue.of(tokens.accessToken().getValue()),
                tokens.refreshToken().map(token -> TokenValue.of(token.getValue())).orElse(null),
                tokens.idToken().map(token -> TokenValue.of(token.serialize())).orElse(null),
                tokens.accessTokenExpiresAt().orElse(null),
                tokens.refreshTokenExpiresAt().orElse(null),
                granted,
                account.subject(),
                account.displayName().orElse(null),
                Actor.user(session.userId(), session.sessionId()),
                "connect session " + session.sessionId() + " started by client " + session.clientId()));
        return id;
    }
}
