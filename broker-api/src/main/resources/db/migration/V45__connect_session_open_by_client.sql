-- The per-client quota of open connect sessions counts a client's unfinished sessions by expiry;
-- a partial index keeps that count an index range scan bounded by the quota.
create index connect_session_open_by_client on connect_session (client_id, expires_at)
    where status <> 'FINISHED';
