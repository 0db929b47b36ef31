package dev.tokenbroker.projections.tokenset;

import dev.tokenbroker.projections.tokenset.TokenSetViewRepository.ApplyWhen;

import java.time.Instant;
import java.util.Objects;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;

/**
 * Keeps {@code token_set_view} in step with the {@code TokenSet} events.
 *
 * <p>Idempotent: each event carries its aggregate sequence number, and the repository applies it only
 * when the row's {@code version} is older, so redelivery after a crash or a claim hand-over between
 * instances is harmless. Ordering per token set comes from the processor's default sequencing policy
 * (sequential per aggregate). The event timestamp, not the clock, stamps the row, so a rebuild gives
 * the same rows.
 */
@ProcessingGroup(TokenSetViewProjection.PROCESSING_GROUP)
public final class TokenSetViewProjection {

    public static final String PROCESSING_GROUP = "token-set-view";

    private final TokenSetViewRepository repository;

    public TokenSetViewProjection(TokenSetViewRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    @EventHandler
    void on(TokenSetLinked event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        repository.linked(event, sequenceNumber, occurredAt, ApplyWhen.NEWER);
    }

    @EventHandler
    void on(TokenSetRefreshed event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        repository.refreshed(event, sequenceNumber, occurredAt, ApplyWhen.NEWER);
    }

    @EventHandler
    void on(TokenRefreshFailed event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        repository.refreshFailed(event, sequenceNumber, occurredAt, ApplyWhen.NEWER);
    }

    @EventHandler
    void on(ReauthorizationRequired event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        repository.reauthorizationRequired(event, sequenceNumber, occurredAt, ApplyWhen.NEWER);
    }

    @EventHandler
    void on(AccessTokenHandedOut event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        repository.handedOut(event, sequenceNumber, occurredAt, ApplyWhen.NEWER);
    }

    @EventHandler
    void on(TokenSetRevoked event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        repository.revoked(event, sequenceNumber, occurredAt, ApplyWhen.NEWER);
    }

    @EventHandler
    void on(TokenSetErased event, @SequenceNumber long sequenceNumber, @Timestamp Instant occurredAt) {
        repository.erased(event, sequenceNumber, occurredAt, ApplyWhen.NEWER);
    }

    /** Runs in the processor's transaction when its tokens are reset, before the replay from the first event. */
    @ResetHandler
    void reset() {
        repository.deleteAll();
    }
}
