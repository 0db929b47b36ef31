-- Which (client, token set, access-token version) hand-outs were already recorded as events, so a
-- backend polling in a loop records one AccessTokenHandedOut per access-token version, not one per call.
create table token_hand_out (
    client_id     varchar(100) not null,
    token_set_id  uuid         not null,
    token_version bigint       not null,
    handed_out_at timestamptz  not null,
    primary key (token_set_id, client_id, token_version)
);
