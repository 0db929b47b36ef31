-- The broker's own API clients (OAuth 2.0 client credentials, RFC 6749 section 4.4).
-- Secrets are stored only as password hashes; a client may hold several at once so a secret
-- can be rotated without downtime.
create table api_client (
    client_id           varchar(100) primary key,
    display_name        varchar(200) not null,
    scopes              text[]       not null,
    allowed_connectors  text[]       not null,
    allowed_return_urls text[]       not null,
    created_at          timestamptz  not null,
    disabled_at         timestamptz
);

create table api_client_secret (
    secret_id   varchar(40)  primary key,
    client_id   varchar(100) not null references api_client (client_id) on delete cascade,
    secret_hash varchar(200) not null,
    created_at  timestamptz  not null,
    expires_at  timestamptz
);
create index api_client_secret_client on api_client_secret (client_id);

-- Keys that sign the broker's API access tokens. The private half is wrapped by the KEK, so
-- reading this table is not enough to mint API tokens; retired keys stay for verification only.
create table api_signing_key (
    key_id              varchar(64) primary key,
    public_jwk          text        not null,
    wrapped_private_jwk bytea       not null,
    created_at          timestamptz not null,
    retired_at          timestamptz
);
