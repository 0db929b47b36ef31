package dev.tokenbroker.api.tokens;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.ExchangedSubjectToken;
import dev.tokenbroker.core.api.RecordAccessTokenHandOutCommand;
import dev.tokenbroker.core.api.TokenSetId;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Records each access token handed out as an event, at most once per (client, token set,
 * access-token version): a small in-memory set answers repeat calls without a query; the
 * {@code token_hand_out} table's primary key decides across instances.
 */
public final class HandOutRecorder {

    private static final int REMEMBERED = 10_000;

    private final JdbcTemplate jdbc;
    private final CommandGateway commands;
    private final Clock clock;
    /** Lock-free; when full it starts over (a forgotten hand-out costs one {@code on conflict do nothing} insert). */
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();

    public HandOutRecorder(JdbcTemplate jdbc, CommandGateway commands, Clock clock) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A hand-out through the token API. */
    public void record(TokenSetId tokenSetId, String clientId, long tokenVersion) {
        record(tokenSetId, clientId, tokenVersion, null);
    }

    /**
     * A hand-out; {@code exchangedFor} names the subject token of a token exchange ({@code null} for the
     * token API). Only the first hand-out of a version to a client is recorded, whichever way it went.
     */
    public void record(TokenSetId tokenSetId, String clientId, long tokenVersion, ExchangedSubjectToken exchangedFor) {
        String key = tokenSetId + "/" + clientId + "/" + tokenVersion;
        if (recorded.contains(key)) {
            return;
        }
        int inserted = jdbc.update("insert into token_hand_out (client_id, token_set_id, token_version, handed_out_at) "
                        + "values (?, ?, ?, ?) on conflict do nothing",
                clientId, tokenSetId.value(), tokenVersion, Timestamp.from(clock.instant()));
        if (inserted == 1) {
            try {
                commands.sendAndWait(new RecordAccessTokenHandOutCommand(tokenSetId, clientId, tokenVersion,
                        Actor.apiClient(clientId), exchangedFor == null ? "token API" : "token exchange", exchangedFor));
            } catch (RuntimeException e) {
                // Not recorded: let the next hand-out try again rather than lose the audit record.
                jdbc.update("delete from token_hand_out where client_id = ? and token_set_id = ? and token_version = ?",
                        clientId, tokenSetId.value(), tokenVersion);
                throw e;
            }
        }
        if (recorded.size() >= REMEMBERED) {
            recorded.clear();
        }
        recorded.add(key);
    }
}
