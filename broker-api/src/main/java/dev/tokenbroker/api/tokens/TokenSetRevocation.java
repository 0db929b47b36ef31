package dev.tokenbroker.api.tokens;

import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.tokenbroker.connectors.Connector;
import dev.tokenbroker.connectors.ConnectorException;
import dev.tokenbroker.connectors.ConnectorRegistry;
import dev.tokenbroker.connectors.RevocationOutcome;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.EraseTokenSetCommand;
import dev.tokenbroker.core.api.RevokeTokenSetCommand;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.crypto.TokenCipherException;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import dev.tokenbroker.projections.tokenset.TokenSetView;
import java.util.Objects;
import java.util.Optional;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unlinks a token set: revokes the grant at the IdP where it can (RFC 7009), then crypto-shreds the
 * token material. The upstream outcome is recorded in the event; a failed upstream revocation does
 * not stop the erasure, because keeping tokens the user asked us to forget is the worse failure.
 */
public final class TokenSetRevocation {

    private static final Logger log = LoggerFactory.getLogger(TokenSetRevocation.class);

    private final TokenSetQueries queries;
    private final TokenCipher cipher;
    private final ConnectorRegistry connectors;
    private final CommandGateway commands;

    public TokenSetRevocation(TokenSetQueries queries, TokenCipher cipher, ConnectorRegistry connectors,
                              CommandGateway commands) {
        this.queries = Objects.requireNonNull(queries, "queries");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.connectors = Objects.requireNonNull(connectors, "connectors");
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    /** @return {@code false} when there is nothing linked (never linked, or already erased) */
    public boolean revokeAndErase(TokenSetId id, Actor actor, String cause) {
        Optional<TokenSetView> found = queries.tokenSet(id);
        if (found.isEmpty() || found.get().status() == TokenSetStatus.ERASED) {
            return false;
        }
        TokenSetView view = found.get();
        try {
            if (view.status() == TokenSetStatus.REVOKED) {
                commands.sendAndWait(new EraseTokenSetCommand(id, actor, cause));
                return true;
            }
            return revoke(id, view, actor, cause);
        } catch (TokenSetCommandRejectedException e) {
            // The read model lagged: the token set was erased meanwhile, so nothing is linked.
            return false;
        }
    }

    private boolean revoke(TokenSetId id, TokenSetView view, Actor actor, String cause) {
        UpstreamRevocationOutcome outcome;
        String detail = null;
        Optional<Connector> connector = connectors.find(view.connectorId());
        if (connector.isEmpty()) {
            outcome = UpstreamRevocationOutcome.NOT_ATTEMPTED;
            detail = "connector no longer configured";
        } else {
            try {
                Optional<TokenValue> access = open(id, view.accessToken());
                Optional<TokenValue> refresh = open(id, view.refreshToken());
                if (access.isEmpty()) {
                    outcome = UpstreamRevocationOutcome.NOT_ATTEMPTED;
                    detail = "no token material left to revoke";
                } else {
                    RevocationOutcome result = connector.get().revoke(new BearerAccessToken(access.get().reveal()),
                            refresh.map(value -> new RefreshToken(value.reveal())));
                    outcome = result == RevocationOutcome.REVOKED
                            ? UpstreamRevocationOutcome.REVOKED : UpstreamRevocationOutcome.NOT_SUPPORTED;
                }
            } catch (ConnectorException e) {
                log.warn("Upstream revocation of token set {} at {} failed ({}); erasing anyway", id,
                        view.connectorId(), e.kind());
                outcome = UpstreamRevocationOutcome.FAILED;
                detail = e.kind().name();
            }
        }
        commands.sendAndWait(new RevokeTokenSetCommand(id, outcome, detail, true, actor, cause));
        return true;
    }

    private Optional<TokenValue> open(TokenSetId id, SealedToken sealed) {
        if (sealed == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(cipher.open(id, sealed));
        } catch (TokenCipherException e) {
            return Optional.empty();
        }
    }
}
