package dev.tokenbroker.api.tokens;

import dev.tokenbroker.core.api.ExchangedSubjectToken;
import dev.tokenbroker.core.api.TokenSetCommandRejectedException;
import dev.tokenbroker.core.crypto.TokenCipherException;
import dev.tokenbroker.projections.tokenset.CurrentAccessToken;
import dev.tokenbroker.projections.tokenset.TokenSetQueries;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The one path by which a user's upstream access token leaves the broker, shared by the token API
 * ({@code GET …/token}) and token exchange ({@code POST /oauth2/token}): the read model, else an
 * on-demand refresh (single flight through the refresh coordinator), then the hand-out recorded
 * before the token is returned. Callers check the client's scope and connectors first.
 */
public final class AccessTokenRetrieval {

    private final TokenSetQueries queries;
    private final OnDemandRefresh onDemandRefresh;
    private final HandOutRecorder handOuts;
    private final Clock clock;

    public AccessTokenRetrieval(TokenSetQueries queries, OnDemandRefresh onDemandRefresh, HandOutRecorder handOuts,
                                Clock clock) {
        this.queries = Objects.requireNonNull(queries, "queries");
        this.onDemandRefresh = Objects.requireNonNull(onDemandRefresh, "onDemandRefresh");
        this.handOuts = Objects.requireNonNull(handOuts, "handOuts");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The user's access token at the connector, valid for at least {@code minValidity} when the IdP
     * allows it, its hand-out to {@code clientId} recorded.
     *
     * @param exchangedFor the subject token of a token exchange, or {@code null} for the token API
     * @throws Unavailable with the reason there is no token to hand out
     */
    public CurrentAccessToken.Available retrieve(String clientId, String userId, String connector, Duration minValidity,
                                                 ExchangedSubjectToken exchangedFor) {
        CurrentAccessToken.Available token = available(current(userId, connector));
        if (!token.validFor(minValidity, clock.instant())) {
            OnDemandRefresh.Result result = onDemandRefresh.refresh(token.tokenSetId(), minValidity, clientId);
            token = switch (result.outcome()) {
                case REFRESHED -> result.token();
                case REAUTHORIZATION_REQUIRED -> throw new Unavailable(Reason.REAUTHORIZATION_REQUIRED, null);
                case NOT_LINKED -> throw new Unavailable(Reason.NOT_LINKED, null);
                case UPSTREAM_UNAVAILABLE -> throw new Unavailable(Reason.UPSTREAM_UNAVAILABLE,
                        result.retryAfter() == null ? Duration.ofSeconds(30) : result.retryAfter());
            };
            if (!token.validFor(Duration.ZERO, clock.instant())) {
                throw new Unavailable(Reason.NO_VALID_TOKEN, Duration.ofSeconds(30));
            }
        }
        recordHandOut(token, clientId, exchangedFor);
        return token;
    }

    /**
     * The common case alone, for the token API's fast path: the read model's access token when it is valid
     * for at least {@code minValidity}, its hand-out to {@code clientId} recorded; empty, with nothing
     * recorded, in every other case (not linked, needs a refresh, erased, the hand-out refused), which
     * {@link #retrieve} then answers in full. Never refreshes.
     */
    public Optional<CurrentAccessToken.Available> retrieveIfValid(String clientId, String userId, String connector,
                                                                  Duration minValidity) {
        CurrentAccessToken current;
        try {
            current = queries.currentAccessToken(userId, connector);
        } catch (TokenCipherException e) {
            return Optional.empty();
        }
        if (!(current instanceof CurrentAccessToken.Available token) || !token.validFor(minValidity, clock.instant())) {
            return Optional.empty();
        }
        try {
            recordHandOut(token, clientId, null);
        } catch (Unavailable e) {
            return Optional.empty();
        }
        return Optional.of(token);
    }

    private void recordHandOut(CurrentAccessToken.Available token, String clientId, ExchangedSubjectToken exchangedFor) {
        try {
            // Recorded before the token leaves: a hand-out the domain refuses (the set was just erased or
            // revoked, and the read model has not caught up yet) is not answered with the token.
            handOuts.record(token.tokenSetId(), clientId, token.tokenVersion(), exchangedFor);
        } catch (TokenSetCommandRejectedException e) {
            throw new Unavailable(Reason.NOT_LINKED, null);
        }
    }

    private CurrentAccessToken current(String userId, String connector) {
        try {
            return queries.currentAccessToken(userId, connector);
        } catch (TokenCipherException e) {
            // Erased (crypto-shredded) while the read model still shows the old row.
            throw new Unavailable(Reason.NOT_LINKED, null);
        }
    }

    private static CurrentAccessToken.Available available(CurrentAccessToken current) {
        if (current instanceof CurrentAccessToken.Available available) {
            return available;
        }
        if (current instanceof CurrentAccessToken.NeedsReauthorization) {
            throw new Unavailable(Reason.REAUTHORIZATION_REQUIRED, null);
        }
        throw new Unavailable(Reason.NOT_LINKED, null);
    }

    /** Why there is no token to hand out. */
    public enum Reason {
        /** Never linked, revoked or erased: the user must link (a connect session). */
        NOT_LINKED,
        /** The grant at the IdP ended: the user must link again (a connect session). */
        REAUTHORIZATION_REQUIRED,
        /** The IdP could not refresh now; retry after {@link Unavailable#retryAfter()}. */
        UPSTREAM_UNAVAILABLE,
        /** The IdP answered a refresh with a token that is already expired; retry later. */
        NO_VALID_TOKEN
    }

    /** No token handed out, and why; nothing was recorded. */
    public static final class Unavailable extends RuntimeException {

        private final Reason reason;
        private final Duration retryAfter;

        Unavailable(Reason reason, Duration retryAfter) {
            super(reason.name(), null, false, false);
            this.reason = reason;
            this.retryAfter = retryAfter;
        }

        public Reason reason() {
            return reason;
        }

        /** When to try again, for the transient reasons; otherwise {@code null}. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
