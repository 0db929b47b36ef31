-- Positions the event-chain processor was delivered past without an event (docs/tamper-evidence.md, "Late
-- events"): a transaction still in flight, or one rolled back (a sequence value is never reused). The chain
-- itself appends a pending position's event as soon as it is stored, whether or not Axon still waits for it,
-- and forgets a position only after broker.audit.checkpoints.late-event-horizon (with a warning).
CREATE TABLE event_chain_pending (
    global_index BIGINT      NOT NULL PRIMARY KEY,
    noticed_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- How far each checkpoint copy that cannot be read back cheaply (the Kafka topic) holds the stored checkpoints:
-- checkpoints signed while the copy was unreachable are sent from here on, in chain order, when it is back.
CREATE TABLE event_chain_sink_position (
    sink        VARCHAR(300) NOT NULL PRIMARY KEY,    -- e.g. kafka:<topic>
    chain_index BIGINT       NOT NULL                 -- the last checkpoint the copy acknowledged
);
