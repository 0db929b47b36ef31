-- Read model: the current state of each token set, rebuilt from the TokenSet events alone
-- (processing group "token-set-view"). One row per token set; a relink updates the same row.
-- Token material is only ever the AEAD ciphertext plus its data-key version, exactly as in the
-- events; an erase clears it. Instants come from the events' timestamps, never from now(), so a
-- rebuild gives identical rows.

CREATE TABLE token_set_view (
    token_set_id               UUID         NOT NULL PRIMARY KEY,
    user_id                    VARCHAR(255) NOT NULL,
    connector_id               VARCHAR(255) NOT NULL,
    status                     VARCHAR(32)  NOT NULL
        CHECK (status IN ('ACTIVE', 'REFRESH_FAILING', 'REAUTHORIZATION_REQUIRED', 'REVOKED', 'ERASED')),
    granted_scopes             TEXT[]       NOT NULL,
    upstream_subject           VARCHAR(1024),
    upstream_display_name      VARCHAR(1024),
    data_key_version           INTEGER      NOT NULL,
    access_token_ciphertext    BYTEA,
    access_token_key_version   INTEGER,
    access_token_expires_at    TIMESTAMPTZ,
    refresh_token_ciphertext   BYTEA,
    refresh_token_key_version  INTEGER,
    refresh_token_expires_at   TIMESTAMPTZ,
    id_token_ciphertext        BYTEA,
    id_token_key_version       INTEGER,
    -- access-token version (+1 per link and refresh) and refresh-token version (+1 per new refresh token)
    token_version              BIGINT       NOT NULL,
    refresh_token_version      BIGINT       NOT NULL,
    linked_at                  TIMESTAMPTZ  NOT NULL,
    last_refreshed_at          TIMESTAMPTZ,
    -- When the scheduler should act (it applies its own lead time): the access-token expiry while
    -- ACTIVE with a refresh token, the retry time while REFRESH_FAILING, otherwise NULL.
    next_refresh_due_at        TIMESTAMPTZ,
    last_failure_kind          VARCHAR(32),
    last_failure_code          VARCHAR(255),
    last_failure_description   VARCHAR(2048),
    consecutive_failures       INTEGER      NOT NULL DEFAULT 0,
    failing_since              TIMESTAMPTZ,
    retry_at                   TIMESTAMPTZ,
    reauthorization_reason     VARCHAR(1024),
    last_handed_out_at         TIMESTAMPTZ,
    revoked_at                 TIMESTAMPTZ,
    upstream_revocation        VARCHAR(32),
    erased_at                  TIMESTAMPTZ,
    -- the aggregate sequence number of the last applied event: handlers skip anything not newer
    version                    BIGINT       NOT NULL,
    updated_at                 TIMESTAMPTZ  NOT NULL,
    UNIQUE (user_id, connector_id)
);

-- The refresh scheduler's query: due token sets in due order.
CREATE INDEX token_set_view_refresh_due ON token_set_view (next_refresh_due_at, token_set_id)
    WHERE next_refresh_due_at IS NOT NULL;
