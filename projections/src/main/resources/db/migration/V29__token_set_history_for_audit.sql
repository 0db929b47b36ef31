-- The audit API's state-at-an-instant reads (issue 13): bounded index lookups instead of folding a whole
-- history. "The last event of each type up to sequence n" is one lookup per type on
-- (token_set_id, event_type, sequence_number); "the last event at or before an instant" one lookup on
-- (token_set_id, occurred_at). And the upstream subject of a link, which the history did not keep:
-- filled by the projection from now on, and for older links by a rebuild of this read model.
ALTER TABLE token_set_history ADD COLUMN upstream_subject VARCHAR(1024);
CREATE INDEX token_set_history_by_type ON token_set_history (token_set_id, event_type, sequence_number);
CREATE INDEX token_set_history_by_time ON token_set_history (token_set_id, occurred_at, sequence_number);
-- Who received whose tokens, by client and time.
CREATE INDEX token_set_history_hand_outs ON token_set_history (client_id, occurred_at) WHERE client_id IS NOT NULL;
