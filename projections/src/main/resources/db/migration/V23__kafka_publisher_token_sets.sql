-- The Kafka publisher's own memory (processing group "kafka-publisher"): who owns each token set and
-- its status after the last published event. Only a link names the user and the connector, and a
-- hand-out keeps the status, so the publisher looks both up here instead of reading a stream. Written
-- in the publisher's batch transaction, so it commits (or rolls back) with the tracking token.
-- Metadata only, like the records it completes.

CREATE TABLE kafka_publisher_token_set (
    token_set_id UUID         NOT NULL PRIMARY KEY,
    user_id      VARCHAR(255) NOT NULL,
    connector_id VARCHAR(255) NOT NULL,
    status       VARCHAR(32)  NOT NULL
);
