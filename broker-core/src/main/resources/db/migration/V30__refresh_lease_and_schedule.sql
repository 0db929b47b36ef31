-- Refresh coordination (broker-core, dev.tokenbroker.core.refresh).

-- At most one upstream refresh per token set across all instances: a lease row with an owner and an expiry in
-- database time. A crashed instance's lease simply expires. The in-doubt columns are set just before the IdP is
-- called and removed with the row once the answer is persisted; a row that still has them after its lease expired
-- means "the IdP may have rotated this refresh-token version and the answer was lost".
CREATE TABLE refresh_lease (
    token_set_id                   UUID         PRIMARY KEY,
    owner                          VARCHAR(255) NOT NULL,
    expires_at                     TIMESTAMPTZ  NOT NULL,
    in_doubt_refresh_token_version BIGINT,
    in_doubt_since                 TIMESTAMPTZ
);

-- Due work for the scheduler, maintained by the refresh-schedule event processor (RefreshScheduleProjection) from
-- TokenSet events alone, so it can be dropped and rebuilt. Instances claim due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE refresh_schedule (
    token_set_id             UUID         PRIMARY KEY,
    connector_id             VARCHAR(255) NOT NULL,
    status                   VARCHAR(32)  NOT NULL,
    has_refresh_token        BOOLEAN      NOT NULL,
    access_token_expires_at  TIMESTAMPTZ,
    refresh_token_expires_at TIMESTAMPTZ,
    token_version            BIGINT       NOT NULL,
    refresh_token_version    BIGINT       NOT NULL,
    last_success_at          TIMESTAMPTZ  NOT NULL,
    first_failure_at         TIMESTAMPTZ,
    consecutive_failures     INTEGER      NOT NULL,
    retry_at                 TIMESTAMPTZ,
    -- NULL: nothing to do (no refresh token, or a status that needs a new link)
    due_at                   TIMESTAMPTZ,
    claimed_by               VARCHAR(255),
    claimed_until            TIMESTAMPTZ,
    -- the aggregate sequence number of the last applied event: replays skip what is already applied
    last_sequence            BIGINT       NOT NULL
);

CREATE INDEX refresh_schedule_due ON refresh_schedule (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX refresh_schedule_status ON refresh_schedule (status);
