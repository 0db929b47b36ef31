-- Connect sessions (the valet key of the connect flow): single use, short-lived, one
-- (client, user, connector). The PKCE verifier, nonce and state are sealed with the KEK;
-- the state is found again through its SHA-256 only.
create table connect_session (
    session_id        varchar(64)  primary key,
    client_id         varchar(100) not null,
    user_id           varchar(128) not null,
    connector_id      varchar(64)  not null,
    requested_scopes  text,
    return_to         text         not null,
    status            varchar(16)  not null,
    created_at        timestamptz  not null,
    expires_at        timestamptz  not null,
    state_hash        varchar(64)  unique,
    sealed_pending    bytea,
    finished_at       timestamptz,
    outcome           varchar(40)
);
create index connect_session_expires on connect_session (expires_at);
