-- The tamper-evident history (docs/tamper-evidence.md): a hash chain over the event store in the
-- order the event-chain processor received the events, the checkpoints that sign its head, and the
-- checkpoint signing keyset (Tink, wrapped by the KEK).

CREATE TABLE event_chain (
    chain_index      BIGINT       NOT NULL PRIMARY KEY,   -- 0, 1, 2 ... without gaps: the delivery order
    global_index     BIGINT       NOT NULL UNIQUE,        -- domainevententry.globalindex (the "position")
    event_identifier VARCHAR(255) NOT NULL UNIQUE,
    digest           BYTEA        NOT NULL,               -- SHA-256(previous digest || canonical event)
    chained_at       TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE TABLE event_chain_checkpoint (
    chain_index  BIGINT       NOT NULL PRIMARY KEY,       -- the last chained event the checkpoint covers
    global_index BIGINT       NOT NULL,
    head         BYTEA        NOT NULL,
    signed_at    TIMESTAMPTZ  NOT NULL,
    jws          TEXT         NOT NULL                    -- compact JWS (ES256): the checkpoint itself
);

CREATE TABLE event_chain_signing_keyset (
    id                SMALLINT     NOT NULL PRIMARY KEY CHECK (id = 1),
    encrypted_keyset  BYTEA        NOT NULL,              -- Tink keyset, AEAD-encrypted by the KEK
    kek_id            VARCHAR(255) NOT NULL,
    version           BIGINT       NOT NULL,
    updated_at        TIMESTAMPTZ  NOT NULL
);
