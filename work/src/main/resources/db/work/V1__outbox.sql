-- The transactional outbox of a Slipway service, one shape for every service (module work/).
-- Rows are written in the transaction of the state change that caused them, published by the
-- relay in id order (so in order per application, the record key), marked sent after Kafka's
-- acknowledgement and deleted after a retention. A row Kafka refuses for its content is parked
-- with the reason and never holds up the rows behind it. event_id is derived from the cause, so
-- adding the same event twice keeps one row and a republish carries the same id.
CREATE TABLE outbox_next (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY CONSTRAINT outbox_row_pkey PRIMARY KEY,
    event_id    TEXT        NOT NULL CONSTRAINT outbox_row_event_id UNIQUE,
    topic       TEXT        NOT NULL,
    application TEXT        NOT NULL,
    event       TEXT        NOT NULL,
    traceparent TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ,
    parked_at   TIMESTAMPTZ,
    parked_why  TEXT
);

-- Each service had an outbox of its own shape before this one (id or seq, TEXT or BYTEA, with or
-- without topic, parked or not). Its rows not yet sent move here in their order, with their
-- parking; rows already sent were published and are left behind.
DO $$
DECLARE
    order_column TEXT;
    event_text   TEXT;
    topic_text   TEXT;
    parked       TEXT;
BEGIN
    IF to_regclass('outbox') IS NULL THEN
        RETURN;
    END IF;
    SELECT CASE WHEN count(*) FILTER (WHERE column_name = 'seq') > 0 THEN 'seq' ELSE 'id' END,
           CASE WHEN bool_or(column_name = 'event' AND data_type = 'bytea')
                THEN 'convert_from(event, ''UTF8'')' ELSE 'event' END,
           CASE WHEN count(*) FILTER (WHERE column_name = 'topic') > 0 THEN 'topic' ELSE NULL END,
           CASE WHEN count(*) FILTER (WHERE column_name = 'parked_at') > 0
                THEN 'parked_at, parked_why' ELSE 'NULL::timestamptz, NULL::text' END
      INTO order_column, event_text, topic_text, parked
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'outbox';
    IF topic_text IS NULL THEN
        -- dev.slipway.<topic>.v1: the topic is in the event's type.
        topic_text := format(
            'regexp_replace((%s)::jsonb ->> ''type'', ''^dev\.slipway\.(.*)\.v[0-9]+$'', ''\1'')',
            event_text);
    END IF;
    EXECUTE format(
        'INSERT INTO outbox_next (event_id, topic, application, event, created_at, parked_at, parked_why) '
        || 'SELECT event_id, %s, application, %s, created_at, %s FROM outbox '
        || 'WHERE sent_at IS NULL ORDER BY %I',
        topic_text, event_text, parked, order_column);
    DROP TABLE outbox;
END $$;

DROP TABLE IF EXISTS relay_lease;

ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_row_to_send ON outbox (id) WHERE sent_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_row_parked ON outbox (id) WHERE parked_at IS NOT NULL;
CREATE INDEX outbox_row_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Fencing tokens: every lease taken in this database (the relay's, a queue row's) gets the next
-- number, so a holder that lost its lease is told apart from the one that holds it now, even when
-- both have the same name.
CREATE SEQUENCE work_lease_token;

-- Named leases, one holder at a time: the outbox relay runs in one instance of a service.
CREATE TABLE work_lease (
    name       TEXT        PRIMARY KEY,
    holder     TEXT        NOT NULL,
    token      BIGINT      NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
