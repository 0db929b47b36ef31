-- Read model: the audit history of each token set (processing group "token-set-history").
-- Metadata only, one row per event: there is deliberately no column that could hold token material.
-- Keyed by the aggregate sequence number, so a redelivered event is a no-op (ON CONFLICT DO NOTHING).

CREATE TABLE token_set_history (
    token_set_id               UUID         NOT NULL,
    sequence_number            BIGINT       NOT NULL,
    event_id                   VARCHAR(255) NOT NULL,
    event_type                 VARCHAR(64)  NOT NULL,
    occurred_at                TIMESTAMPTZ  NOT NULL,
    actor_type                 VARCHAR(32)  NOT NULL,
    actor_id                   VARCHAR(255) NOT NULL,
    connect_session_id         VARCHAR(255),
    cause                      VARCHAR(1024) NOT NULL,
    -- LINKED / RELINKED, the failure kind, the upstream revocation outcome, ...
    outcome                    VARCHAR(64),
    error_code                 VARCHAR(255),
    detail                     VARCHAR(2048),
    client_id                  VARCHAR(255),
    granted_scopes             TEXT[],
    access_token_expires_at    TIMESTAMPTZ,
    refresh_token_expires_at   TIMESTAMPTZ,
    refresh_token_rotated      BOOLEAN,
    retry_at                   TIMESTAMPTZ,
    data_key_version           INTEGER,
    token_version              BIGINT,
    refresh_token_version      BIGINT,
    PRIMARY KEY (token_set_id, sequence_number)
);
