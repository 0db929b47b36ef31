package dev.tokenbroker.core.command;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.EraseTokenSetCommand;
import dev.tokenbroker.core.api.LinkTokenSetCommand;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RecordAccessTokenHandOutCommand;
import dev.tokenbroker.core.api.RecordRefreshFailureCommand;
import dev.tokenbroker.core.api.RecordTokenRefreshCommand;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.RefreshFailureOutcome;
import dev.tokenbroker.core.api.RequireReauthorizationCommand;
import dev.tokenbroker.core.api.RevokeTokenSetCommand;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException.Reason;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.refresh.TokenSetRefreshState;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.serialization.Revision;

/**
 * One linked upstream account of one user at one connector ({@link TokenSetId#of}). Command handlers check
 * the lifecycle rule and apply; event-sourcing handlers only assign the little state those rules need.
 *
 * <p>Plaintext tokens are encrypted here, through the injected {@link TokenCipher}, before anything is
 * applied, so no event ever holds plaintext. The cipher is a handler parameter (an Axon resource), not a
 * field: aggregates are rebuilt from events and must not carry services.
 *
 * <h2>Snapshots</h2>
 * The aggregate is its own snapshot (Axon's {@code AggregateSnapshotter}, Jackson, every field): the
 * lifecycle state plus the {@link TokenSetRefreshState} — what the refresh coordinator re-reads, so that
 * re-read costs a snapshot plus a short tail however long the stream grows
 * ({@code TokenSetRefreshStateReader}). Token material is in it only as it is in the events, sealed; no
 * data key ever is. The hand-out bookkeeping holds one number per client, never one per token version.
 * {@link Revision} versions the snapshot format: a snapshot of another revision is ignored and the
 * aggregate is rebuilt from its events (then snapshotted anew), so changing the fields means bumping it.
 */
@Revision(TokenSet.SNAPSHOT_REVISION)
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE, creatorVisibility = Visibility.NONE)
public final class TokenSet {

    /** The snapshot format's revision; bump it whenever the fields below change. */
    public static final String SNAPSHOT_REVISION = "2";

    @AggregateIdentifier
    private TokenSetId id;
    private int dataKeyVersion;
    // Everything refreshing needs, the lifecycle status included; folded by the same rules as elsewhere.
    private TokenSetRefreshState state;
    // Highest token version handed out per client: makes "at most once per (client, version)" hold.
    private final Map<String, Long> handedOutVersionByClient = new HashMap<>();

    TokenSet() {
        // for Axon
    }

    /** The state as of the last event applied; {@code null} before the first link. For snapshot readers. */
    public TokenSetRefreshState refreshState() {
        return state;
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public void handle(LinkTokenSetCommand command, TokenCipher cipher) {
        if (command.accessToken() == null) {
            throw new TokenSetCommandRejectedException(Reason.NO_ACCESS_TOKEN, "A link needs an access token");
        }
        TokenSetId tokenSetId = command.tokenSetId();
        boolean relink = id != null;
        // A new data-key version per link: a relink after erase never reuses a shredded key version.
        int keyVersion = dataKeyVersion + 1;
        apply(new TokenSetLinked(tokenSetId, command.userId(), command.connectorId(),
                cipher.seal(tokenSetId, TokenPurpose.ACCESS, keyVersion, command.accessToken()),
                sealIfPresent(cipher, tokenSetId, TokenPurpose.REFRESH, keyVersion, command.refreshToken()),
                sealIfPresent(cipher, tokenSetId, TokenPurpose.ID, keyVersion, command.idToken()),
                command.accessTokenExpiresAt(), command.refreshTokenExpiresAt(), command.grantedScopes(),
                command.upstreamSubject(), command.upstreamDisplayName(),
                keyVersion, tokenVersion() + 1,
                // +1 even without a new refresh token: the old grant's refresh token is no longer current.
                refreshTokenVersion() + 1,
                relink, command.actor(), command.cause()));
    }

    @CommandHandler
    public void handle(RecordTokenRefreshCommand command, TokenCipher cipher) {
        requireRefreshable();
        if (!state.hasRefreshToken()) {
            throw new TokenSetCommandRejectedException(Reason.NO_REFRESH_TOKEN,
                    "Token set " + id + " has no refresh token to refresh with");
        }
        if (command.accessToken() == null) {
            throw new TokenSetCommandRejectedException(Reason.NO_ACCESS_TOKEN, "A refresh result needs an access token");
        }
        // Accepted even when based on an older refresh token: tokens the IdP returned are never dropped.
        SealedToken rotated = sealIfPresent(cipher, id, TokenPurpose.REFRESH, dataKeyVersion, command.refreshToken());
        apply(new TokenSetRefreshed(id,
                cipher.seal(id, TokenPurpose.ACCESS, dataKeyVersion, command.accessToken()),
                rotated,
                sealIfPresent(cipher, id, TokenPurpose.ID, dataKeyVersion, command.idToken()),
                command.accessTokenExpiresAt(), command.refreshTokenExpiresAt(), command.grantedScopes(),
                tokenVersion() + 1,
                rotated == null ? refreshTokenVersion() : refreshTokenVersion() + 1,
                command.basedOnRefreshTokenVersion(), command.actor(), command.cause()));
    }

    @CommandHandler
    public RefreshFailureOutcome handle(RecordRefreshFailureCommand command) {
        requireRefreshable();
        if (command.basedOnRefreshTokenVersion() != refreshTokenVersion()) {
            // The stored refresh token changed meanwhile: the failure is about a token we no longer use.
            return RefreshFailureOutcome.IGNORED_STALE_REFRESH_TOKEN;
        }
        boolean permanent = command.kind() == RefreshFailureKind.PERMANENT;
        apply(new TokenRefreshFailed(id, command.kind(), command.errorCode(), command.errorDescription(),
                permanent ? null : command.retryAt(), state.consecutiveFailures() + 1,
                command.basedOnRefreshTokenVersion(), command.actor(), command.cause()));
        if (permanent) {
            apply(new ReauthorizationRequired(id, command.errorCode(), command.actor(), command.cause()));
            return RefreshFailureOutcome.REAUTHORIZATION_REQUIRED;
        }
        return RefreshFailureOutcome.RETRY_SCHEDULED;
    }

    @CommandHandler
    public void handle(RequireReauthorizationCommand command) {
        rejectIfRevokedOrErased();
        if (status() != TokenSetStatus.REAUTHORIZATION_REQUIRED) {
            apply(new ReauthorizationRequired(id, command.reason(), command.actor(), command.cause()));
        }
    }

    @CommandHandler
    public void handle(RecordAccessTokenHandOutCommand command) {
        requireRefreshable();
        if (command.tokenVersion() < 1 || command.tokenVersion() > tokenVersion()) {
            throw new TokenSetCommandRejectedException(Reason.UNKNOWN_TOKEN_VERSION,
                    "Token set " + id + " has no access token version " + command.tokenVersion());
        }
        Long alreadyHandedOut = handedOutVersionByClient.get(command.clientId());
        if (alreadyHandedOut == null || command.tokenVersion() > alreadyHandedOut) {
            apply(new AccessTokenHandedOut(id, command.clientId(), command.tokenVersion(), command.actor(), command.cause(),
                    command.exchangedFor()));
        }
    }

    @CommandHandler
    public void handle(RevokeTokenSetCommand command, TokenCipher cipher) {
        rejectIfRevokedOrErased();
        apply(new TokenSetRevoked(id, command.upstreamOutcome(), command.upstreamDetail(), command.actor(), command.cause()));
        if (command.erase()) {
            erase(cipher, command.actor(), command.cause());
        }
    }

    @CommandHandler
    public void handle(EraseTokenSetCommand command, TokenCipher cipher) {
        if (status() != TokenSetStatus.ERASED) {
            erase(cipher, command.actor(), command.cause());
        }
    }

    private void erase(TokenCipher cipher, Actor actor, String cause) {
        // Shred first, then record: if the keys cannot be destroyed, no "erased" event may claim they were.
        int destroyed = cipher.destroyDataKeys(id, dataKeyVersion);
        apply(new TokenSetErased(id, dataKeyVersion, destroyed, actor, cause));
    }

    private void requireRefreshable() {
        rejectIfRevokedOrErased();
        if (status() == TokenSetStatus.REAUTHORIZATION_REQUIRED) {
            throw new TokenSetCommandRejectedException(Reason.REAUTHORIZATION_REQUIRED,
                    "Token set " + id + " requires reauthorization: the user must link again");
        }
    }

    private void rejectIfRevokedOrErased() {
        if (status() == TokenSetStatus.ERASED) {
            throw new TokenSetCommandRejectedException(Reason.ERASED, "Token set " + id + " was erased: the user must link again");
        }
        if (status() == TokenSetStatus.REVOKED) {
            throw new TokenSetCommandRejectedException(Reason.REVOKED, "Token set " + id + " was revoked: the user must link again");
        }
    }

    private static SealedToken sealIfPresent(TokenCipher cipher, TokenSetId tokenSetId, TokenPurpose purpose,
                                             int keyVersion, TokenValue token) {
        return token == null ? null : cipher.seal(tokenSetId, purpose, keyVersion, token);
    }

    private TokenSetStatus status() {
        return state == null ? null : state.status();
    }

    private long tokenVersion() {
        return state == null ? 0 : state.tokenVersion();
    }

    private long refreshTokenVersion() {
        return state == null ? 0 : state.refreshTokenVersion();
    }

    @EventSourcingHandler
    void on(TokenSetLinked event, @Timestamp Instant occurredAt) {
        id = event.tokenSetId();
        dataKeyVersion = event.dataKeyVersion();
        state = TokenSetRefreshState.evolve(state, event, occurredAt);
    }

    @EventSourcingHandler
    void on(TokenSetRefreshed event, @Timestamp Instant occurredAt) {
        state = TokenSetRefreshState.evolve(state, event, occurredAt);
    }

    @EventSourcingHandler
    void on(TokenRefreshFailed event, @Timestamp Instant occurredAt) {
        state = TokenSetRefreshState.evolve(state, event, occurredAt);
    }

    @EventSourcingHandler
    void on(ReauthorizationRequired event, @Timestamp Instant occurredAt) {
        state = TokenSetRefreshState.evolve(state, event, occurredAt);
    }

    @EventSourcingHandler
    void on(AccessTokenHandedOut event) {
        handedOutVersionByClient.merge(event.clientId(), event.tokenVersion(), Math::max);
    }

    @EventSourcingHandler
    void on(TokenSetRevoked event, @Timestamp Instant occurredAt) {
        state = TokenSetRefreshState.evolve(state, event, occurredAt);
    }

    @EventSourcingHandler
    void on(TokenSetErased event, @Timestamp Instant occurredAt) {
        state = TokenSetRefreshState.evolve(state, event, occurredAt);
    }
}
