package dev.tokenbroker.core.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.EraseTokenSetCommand;
import dev.tokenbroker.core.api.LinkTokenSetCommand;
import dev.tokenbroker.core.api.RecordAccessTokenHandOutCommand;
import dev.tokenbroker.core.api.RecordRefreshFailureCommand;
import dev.tokenbroker.core.api.RecordTokenRefreshCommand;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.RequireReauthorizationCommand;
import dev.tokenbroker.core.api.RevokeTokenSetCommand;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenValue;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;
import dev.tokenbroker.core.command.TokenSetAggregateConfiguration;
import dev.tokenbroker.core.refresh.RefreshSettings;
import dev.tokenbroker.core.refresh.RefreshTiming;
import dev.tokenbroker.core.refresh.TokenSetRefreshState;
import dev.tokenbroker.core.refresh.TokenSetRefreshStateReader;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots keep the cost of a command and of the refresh coordinator's authoritative re-read flat as a token
 * set's history grows (DESIGN invariant 8), and a snapshot plus its tail is the same state as the whole stream.
 */
class TokenSetSnapshotTest {

    private static final Logger log = LoggerFactory.getLogger(TokenSetSnapshotTest.class);
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final int THRESHOLD = TokenSetAggregateConfiguration.DEFAULT_SNAPSHOT_THRESHOLD;

    @TempDir
    Path directory;

    @Test
    void aCommandAndAReReadOnAStreamOfThousandsReadNoMoreEventsThanOnAShortOne() {
        try (TokenSetStack stack = new TokenSetStack("snapshot_cost", directory)) {
            TokenSetId shortStream = linkAndRefresh(stack, "short", 8);
            TokenSetId longStream = linkAndRefresh(stack, "long", 3_000);
            TokenSetRefreshStateReader reader = new TokenSetRefreshStateReader(stack.axon.eventStore());

            long commandOnShort = eventsReadBy(stack, () -> refreshOnce(stack, shortStream));
            long commandOnLong = eventsReadBy(stack, () -> refreshOnce(stack, longStream));
            long reReadOfShort = eventsReadBy(stack, () -> reader.read(shortStream));
            long reReadOfLong = eventsReadBy(stack, () -> reader.read(longStream));
            log.info("events read: command {} (short) vs {} (3,000 events); re-read {} vs {}",
                    commandOnShort, commandOnLong, reReadOfShort, reReadOfLong);

            assertThat(commandOnLong).as("events read by a command on a 3,000-event stream").isLessThan(THRESHOLD);
            assertThat(reReadOfLong).as("events read by the coordinator's re-read of a 3,000-event stream")
                    .isLessThan(THRESHOLD);
            assertThat(stack.jdbc.queryForObject("SELECT count(*) FROM snapshotevententry WHERE aggregateidentifier = ?",
                    Long.class, longStream.toString())).as("older snapshots are replaced, not accumulated").isEqualTo(1);
            assertThat(reader.read(longStream).orElseThrow().tokenVersion()).isEqualTo(3_002);
        }
    }

    @Test
    void snapshotPlusTailGivesTheSameStateAndDecisionsAsAFullReplayOverRandomHistories() {
        long seed = Long.getLong("snapshot.seed", new Random().nextLong());
        log.info("random histories with seed {} (rerun with -Dsnapshot.seed={})", seed, seed);
        for (long run : List.of(42L, seed)) {
            Random random = new Random(run);
            try (TokenSetStack stack = new TokenSetStack("snapshot_equivalence", directory.resolve("r" + (run == 42L ? 1 : 2)))) {
                TokenSetRefreshStateReader reader = new TokenSetRefreshStateReader(stack.axon.eventStore());
                RefreshTiming timing = new RefreshTiming(RefreshSettings.defaults());
                for (int user = 0; user < 3; user++) {
                    TokenSetId id = TokenSetId.of("user" + user, "google");
                    stack.commands().sendAndWait(link("user" + user));
                    for (int step = 0; step < 120; step++) {
                        tryRandomCommand(stack, random, "user" + user, id);
                        TokenSetRefreshState fromSnapshot = reader.read(id).orElseThrow();
                        TokenSetRefreshState fromAllEvents = fullReplay(stack, id);
                        assertThat(fromSnapshot).as("seed %s, user %s, step %s", run, user, step).isEqualTo(fromAllEvents);
                        for (Instant at : List.of(NOW, NOW.plusSeconds(3_000), NOW.plusSeconds(90_000))) {
                            assertThat(timing.isDue(fromSnapshot, at)).isEqualTo(timing.isDue(fromAllEvents, at));
                            assertThat(timing.nextDueAt(fromSnapshot)).isEqualTo(timing.nextDueAt(fromAllEvents));
                        }
                        assertThat(fromSnapshot.refreshable()).isEqualTo(fromAllEvents.refreshable());
                    }
                }
                assertThat(stack.jdbc.queryForObject("SELECT count(*) FROM snapshotevententry", Long.class))
                        .as("the histories crossed snapshot boundaries").isPositive();
            }
        }
    }

    @Test
    void handOutsStayOncePerClientAndVersionAcrossSnapshots() {
        try (TokenSetStack stack = new TokenSetStack("snapshot_hand_outs", directory)) {
            TokenSetId id = linkAndRefresh(stack, "hand", 3);
            stack.commands().sendAndWait(new RecordAccessTokenHandOutCommand(id, "billing", 4, Actor.apiClient("billing"), "t"));
            for (int i = 0; i < THRESHOLD * 2; i++) {
                // other clients' hand-outs push the stream past two snapshots
                stack.commands().sendAndWait(new RecordAccessTokenHandOutCommand(id, "client-" + i, 4,
                        Actor.apiClient("client-" + i), "t"));
            }
            long before = eventCount(stack, id);
            stack.commands().sendAndWait(new RecordAccessTokenHandOutCommand(id, "billing", 4, Actor.apiClient("billing"), "t"));
            stack.commands().sendAndWait(new RecordAccessTokenHandOutCommand(id, "billing", 3, Actor.apiClient("billing"), "t"));

            assertThat(eventCount(stack, id)).as("billing already had version 4: nothing new recorded").isEqualTo(before);
            assertThat(stack.jdbc.queryForObject("SELECT count(*) FROM snapshotevententry", Long.class)).isPositive();
        }
    }

    @Test
    void snapshotsHoldNoTokenValueAndNoDataKey() {
        try (TokenSetStack stack = new TokenSetStack("snapshot_scan", directory)) {
            TokenSetId id = TokenSetId.of("scan", "google");
            List<String> tokens = new ArrayList<>();
            String access = secret("gho_access");
            String refresh = secret("ghr_refresh");
            tokens.add(access);
            tokens.add(refresh);
            stack.commands().sendAndWait(new LinkTokenSetCommand(id, "scan", "google", TokenValue.of(access),
                    TokenValue.of(refresh), null, NOW.plusSeconds(3600), null, Set.of("openid"), "sub-scan", null,
                    Actor.user("scan", "cs"), "connect-callback"));
            for (int i = 0; i < THRESHOLD * 2 + 3; i++) {
                String newAccess = secret("gho_access");
                String newRefresh = secret("ghr_refresh");
                tokens.add(newAccess);
                tokens.add(newRefresh);
                stack.commands().sendAndWait(new RecordTokenRefreshCommand(id, TokenValue.of(newAccess),
                        TokenValue.of(newRefresh), null, NOW.plusSeconds(3600), null, Set.of("openid"), i + 1L,
                        Actor.scheduler(), "refresh"));
            }
            RawDatabaseScan scan = RawDatabaseScan.of(stack.jdbc);
            assertThat(scan.rowsIn("snapshotevententry")).isEqualTo(1);
            assertThat(scan.findings(tokens)).isEmpty();
            byte[] wrappedDataKey = stack.jdbc.queryForObject(
                    "SELECT wrapped_key FROM token_set_data_key WHERE token_set_id = ?", byte[].class, id.value());
            byte[] snapshot = stack.jdbc.queryForObject("SELECT payload FROM snapshotevententry", byte[].class);
            assertThat(indexOf(snapshot, wrappedDataKey)).as("the wrapped data key is not in the snapshot").isNegative();

            stack.commands().sendAndWait(new EraseTokenSetCommand(id, Actor.admin("dpo"), "gdpr"));
            for (int i = 0; i < THRESHOLD; i++) {
                stack.commands().sendAndWait(new EraseTokenSetCommand(id, Actor.admin("dpo"), "gdpr"));
            }
            assertThat(new TokenSetRefreshStateReader(stack.axon.eventStore()).read(id).orElseThrow().refreshToken())
                    .as("an erased token set keeps no sealed token in its state").isNull();
        }
    }

    private static void tryRandomCommand(TokenSetStack stack, Random random, String user, TokenSetId id) {
        TokenSetRefreshState state = fullReplay(stack, id);
        Actor actor = Actor.scheduler();
        Object command = switch (random.nextInt(12)) {
            case 0, 1, 2, 3 -> new RecordTokenRefreshCommand(id, TokenValue.of(secret("a")),
                    random.nextBoolean() ? TokenValue.of(secret("r")) : null, null,
                    NOW.plusSeconds(random.nextInt(7200)), random.nextBoolean() ? NOW.plusSeconds(86_400) : null,
                    random.nextBoolean() ? Set.of("openid") : Set.of(), state.refreshTokenVersion(), actor, "refresh");
            case 4, 5 -> new RecordRefreshFailureCommand(id, RefreshFailureKind.TRANSIENT, "temporarily_unavailable", null,
                    NOW.plusSeconds(random.nextInt(600)),
                    random.nextInt(5) == 0 ? state.refreshTokenVersion() - 1 : state.refreshTokenVersion(), actor, "refresh");
            case 6 -> random.nextInt(4) == 0
                    ? new RecordRefreshFailureCommand(id, RefreshFailureKind.PERMANENT, "invalid_grant", null, null,
                            state.refreshTokenVersion(), actor, "refresh")
                    : new RequireReauthorizationCommand(id, "test", actor, "test");
            case 7, 8 -> new RecordAccessTokenHandOutCommand(id, "client-" + random.nextInt(3),
                    Math.max(1, state.tokenVersion() - random.nextInt(2)), Actor.apiClient("c"), "hand-out");
            case 9 -> random.nextInt(3) == 0
                    ? new RevokeTokenSetCommand(id, UpstreamRevocationOutcome.REVOKED, "200", random.nextBoolean(), actor, "unlink")
                    : link(user);
            default -> random.nextInt(6) == 0 ? new EraseTokenSetCommand(id, Actor.admin("dpo"), "gdpr") : link(user);
        };
        try {
            stack.commands().sendAndWait(command);
        } catch (RuntimeException rejected) {
            // A command the lifecycle forbids (e.g. a refresh after a revoke) is part of a random history too.
        }
    }

    private static TokenSetRefreshState fullReplay(TokenSetStack stack, TokenSetId id) {
        TokenSetRefreshState state = null;
        DomainEventStream events = stack.storageEngine.readEvents(id.toString(), 0);
        while (events.hasNext()) {
            DomainEventMessage<?> event = events.next();
            state = TokenSetRefreshState.evolve(state, event.getPayload(), event.getTimestamp());
        }
        return state;
    }

    private static LinkTokenSetCommand link(String user) {
        return new LinkTokenSetCommand(TokenSetId.of(user, "google"), user, "google", TokenValue.of(secret("a")),
                TokenValue.of(secret("r")), null, NOW.plusSeconds(3600), NOW.plusSeconds(86_400 * 30),
                Set.of("openid", "email"), "sub-" + user, null, Actor.user(user, "cs"), "connect-callback");
    }

    private static TokenSetId linkAndRefresh(TokenSetStack stack, String user, int refreshes) {
        TokenSetId id = TokenSetId.of(user, "google");
        stack.commands().sendAndWait(link(user));
        for (int i = 0; i < refreshes; i++) {
            refreshOnce(stack, id);
        }
        return id;
    }

    private static void refreshOnce(TokenSetStack stack, TokenSetId id) {
        // No rotation: the refresh-token version stays 1, so every refresh is based on it.
        stack.commands().sendAndWait(new RecordTokenRefreshCommand(id, TokenValue.of(secret("a")), null, null,
                NOW.plusSeconds(3600), null, Set.of("openid"), 1, Actor.scheduler(), "refresh"));
    }

    private static long eventsReadBy(TokenSetStack stack, Runnable action) {
        stack.countingStorageEngine.reset();
        action.run();
        return stack.countingStorageEngine.aggregateEventsRead();
    }

    private static long eventCount(TokenSetStack stack, TokenSetId id) {
        return stack.jdbc.queryForObject("SELECT count(*) FROM domainevententry WHERE aggregateidentifier = ?",
                Long.class, id.toString());
    }

    private static String secret(String kind) {
        return kind + "_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

}
