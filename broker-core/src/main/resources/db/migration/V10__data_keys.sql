-- Envelope encryption: one data key (DEK, a Tink AES256_GCM keyset) per token set and key version,
-- stored wrapped (encrypted) by the key-encryption key (KEK). Never in events, snapshots or Kafka.
-- Crypto-shredding deletes the rows; the erasure table remembers which versions were erased, so a
-- later read answers "erased" instead of "missing", and an erased version is never recreated.

CREATE TABLE token_set_data_key (
    token_set_id UUID          NOT NULL,
    key_version  INTEGER       NOT NULL CHECK (key_version >= 1),
    wrapped_key  BYTEA         NOT NULL,
    -- which KEK wrapped it: a KMS key URI or local-keyset:<primary key id>; drives rewrap progress
    kek_id       VARCHAR(1024) NOT NULL,
    created_at   TIMESTAMPTZ   NOT NULL DEFAULT now(),
    rewrapped_at TIMESTAMPTZ,
    PRIMARY KEY (token_set_id, key_version)
);
CREATE INDEX token_set_data_key_kek_id ON token_set_data_key (kek_id);

-- Deleted rows stay in the table's pages until vacuumed (still KEK-wrapped, not readable through SQL);
-- vacuum this small table eagerly so shredded keys are physically gone soon.
ALTER TABLE token_set_data_key SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 50);

CREATE TABLE token_set_erasure (
    token_set_id           UUID        NOT NULL PRIMARY KEY,
    erased_through_version INTEGER     NOT NULL,
    erased_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
