package dev.tokenbroker.api.issuer;

import java.net.URI;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * API client registrations and their hashed secrets, in PostgreSQL.
 *
 * <p>{@link #findCurrent(String)} serves the request path from a short-lived cache: an entry lives at most
 * {@code cacheTtl} (default 1 s), and every change made through this store (save, delete, secret added or
 * removed) drops the client's entry at once. So a change applies immediately on the instance that made
 * it and within {@code cacheTtl} on every other instance.
 */
public final class ApiClientStore {

    private static final int MAX_CACHED = 10_000;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final long cacheTtlNanos;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    /** Moves on every local change: a load that raced with a change does not stay cached. */
    private final AtomicLong changes = new AtomicLong();

    private record Cached(Optional<ApiClient> client, long loadedAtNanos) {
    }

    public ApiClientStore(JdbcTemplate jdbc, Clock clock) {
        this(jdbc, clock, Duration.ofSeconds(1));
    }

    public ApiClientStore(JdbcTemplate jdbc, Clock clock, Duration cacheTtl) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cacheTtlNanos = Objects.requireNonNull(cacheTtl, "cacheTtl").toNanos();
    }

    /** The client as stored at most {@code cacheTtl} ago (at once after a change through this instance). */
    public Optional<ApiClient> findCurrent(String clientId) {
        Cached cached = cache.get(clientId);
        if (cached != null && System.nanoTime() - cached.loadedAtNanos() < cacheTtlNanos) {
            return cached.client();
        }
        long before = changes.get();
        long loadedAt = System.nanoTime();
        Optional<ApiClient> client = find(clientId);
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        Cached loaded = new Cached(client, loadedAt);
        cache.put(clientId, loaded);
        if (changes.get() != before) {
            // A change may have landed after the query: the next call loads again.
            cache.remove(clientId, loaded);
        }
        return client;
    }

    private void changed(String clientId) {
        changes.incrementAndGet();
        cache.remove(clientId);
    }

    /** A stored secret: its id (to remove it later) and expiry; never the secret itself. */
    public record StoredSecret(String secretId, String clientId, Instant createdAt, Instant expiresAt) {
    }

    /** Inserts the client or, if it exists, replaces its registration (secrets are kept). */
    public ApiClient save(ApiClient client) {
        jdbc.update(connection -> {
            var statement = connection.prepareStatement("""
                    insert into api_client (client_id, display_name, scopes, allowed_connectors,
                                            allowed_return_urls, created_at, disabled_at)
                    values (?, ?, ?, ?, ?, ?, ?)
                    on conflict (client_id) do update set
                        display_name = excluded.display_name, scopes = excluded.scopes,
                        allowed_connectors = excluded.allowed_connectors,
                        allowed_return_urls = excluded.allowed_return_urls,
                        disabled_at = excluded.disabled_at
                    """);
            statement.setString(1, client.clientId());
            statement.setString(2, client.displayName());
            statement.setArray(3, connection.createArrayOf("text",
                    client.scopes().stream().map(ApiScope::value).sorted().toArray()));
            statement.setArray(4, connection.createArrayOf("text", client.allowedConnectors().stream().sorted().toArray()));
            statement.setArray(5, connection.createArrayOf("text",
                    client.allowedReturnUrls().stream().map(URI::toString).sorted().toArray()));
            statement.setTimestamp(6, Timestamp.from(client.createdAt()));
            statement.setTimestamp(7, client.disabled() ? Timestamp.from(clock.instant()) : null);
            return statement;
        });
        changed(client.clientId());
        return find(client.clientId()).orElseThrow();
    }

    public Optional<ApiClient> find(String clientId) {
        return jdbc.query("select * from api_client where client_id = ?", CLIENT, clientId).stream().findFirst();
    }

    public List<ApiClient> findAll() {
        return jdbc.query("select * from api_client order by client_id", CLIENT);
    }

    public boolean delete(String clientId) {
        boolean deleted = jdbc.update("delete from api_client where client_id = ?", clientId) > 0;
        changed(clientId);
        return deleted;
    }

    /** Stores a new secret hash for the client and returns its id. */
    public StoredSecret addSecret(String clientId, String secretHash, Instant expiresAt) {
        String secretId = UUID.randomUUID().toString();
        Instant now = clock.instant();
        jdbc.update("insert into api_client_secret (secret_id, client_id, secret_hash, created_at, expires_at) "
                        + "values (?, ?, ?, ?, ?)",
                secretId, clientId, secretHash, Timestamp.from(now), expiresAt == null ? null : Timestamp.from(expiresAt));
        changed(clientId);
        return new StoredSecret(secretId, clientId, now, expiresAt);
    }

    public boolean removeSecret(String clientId, String secretId) {
        boolean removed = jdbc.update("delete from api_client_secret where client_id = ? and secret_id = ?",
                clientId, secretId) > 0;
        changed(clientId);
        return removed;
    }

    public List<StoredSecret> secrets(String clientId) {
        return jdbc.query("select secret_id, client_id, created_at, expires_at from api_client_secret "
                        + "where client_id = ? order by created_at",
                (rs, row) -> new StoredSecret(rs.getString("secret_id"), rs.getString("client_id"),
                        rs.getTimestamp("created_at").toInstant(), instantOrNull(rs, "expires_at")),
                clientId);
    }

    /** Hashes of the secrets that authenticate the client now (not expired). */
    public List<String> activeSecretHashes(String clientId) {
        return jdbc.queryForList("select secret_hash from api_client_secret where client_id = ? "
                        + "and (expires_at is null or expires_at > ?)",
                String.class, clientId, Timestamp.from(clock.instant()));
    }

    private static final RowMapper<ApiClient> CLIENT = (rs, row) -> new ApiClient(
            rs.getString("client_id"),
            rs.getString("display_name"),
            strings(rs.getArray("scopes")).stream().map(ApiScope::fromValue).flatMap(Optional::stream)
                    .collect(Collectors.toSet()),
            strings(rs.getArray("allowed_connectors")),
            strings(rs.getArray("allowed_return_urls")).stream().map(URI::create).collect(Collectors.toSet()),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("disabled_at") != null);

    private static Set<String> strings(Array array) throws SQLException {
        if (array == null) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList((String[]) array.getArray()));
    }

    private static Instant instantOrNull(ResultSet rs, String column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }
}
