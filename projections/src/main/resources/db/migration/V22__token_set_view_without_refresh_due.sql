-- The refresh scheduler's due time lives in refresh_schedule (broker-core), with its lead time, jitter and
-- keep-alive. token_set_view had a second column under a similar name (the access-token expiry or retry time,
-- no lead time) that nothing scheduled from: one due time, in one place.
DROP INDEX IF EXISTS token_set_view_refresh_due;
ALTER TABLE token_set_view DROP COLUMN next_refresh_due_at;
