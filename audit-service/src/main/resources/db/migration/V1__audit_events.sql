-- The audit store: one row per Kafka record read from any Slipway topic or dead-letter topic.
-- Rows form a SHA-256 chain in seq order: hash = SHA-256(prev_hash || canonical content), where
-- the canonical content is written by AuditChain (see the README). seq is assigned by the writer
-- while it holds the chain lock, so seq order is commit order, gapless and monotonic.
CREATE TABLE audit_events (
    seq             BIGINT      PRIMARY KEY,
    topic           TEXT        NOT NULL,
    kafka_partition INTEGER     NOT NULL,
    kafka_offset    BIGINT      NOT NULL,
    record_key      TEXT,
    event_id        TEXT,
    type            TEXT,
    source          TEXT,
    application     TEXT,
    run_id          TEXT,
    causation_id    TEXT,
    commit_sha      TEXT,
    environment     TEXT,
    actor           TEXT,
    status          TEXT,
    event_time      TIMESTAMPTZ NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    problem         TEXT,
    event           JSONB       NOT NULL,
    headers         JSONB,
    prev_hash       BYTEA       NOT NULL,
    hash            BYTEA       NOT NULL,
    CONSTRAINT audit_events_record_once UNIQUE (topic, kafka_partition, kafka_offset),
    CONSTRAINT audit_events_event_once UNIQUE (topic, event_id)
);

CREATE INDEX audit_events_run ON audit_events (run_id, seq);
CREATE INDEX audit_events_commit ON audit_events (commit_sha, seq);
CREATE INDEX audit_events_application ON audit_events (application, seq);
-- Deploy events only, for DORA metrics; small and cheap to maintain.
CREATE INDEX audit_events_deploys ON audit_events (environment, event_time)
    WHERE environment IS NOT NULL;
-- Time ranges of export and queries; event_time follows insertion order closely.
CREATE INDEX audit_events_event_time ON audit_events USING brin (event_time);

-- Append-only, whoever connects: no UPDATE, DELETE or TRUNCATE, not even by the owner.
CREATE FUNCTION audit_events_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();

-- The service's own role (quarkus.datasource.username) may only read and append. Flyway runs as
-- the owner; the role is created with the service's password when it does not exist yet.
DO
$do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${app_role}') THEN
        -- The password is dollar-quoted so any character is safe; the leading '-' (cut off
        -- again) keeps Flyway from swallowing the placeholder: it does not replace a
        -- placeholder that directly follows a dollar sign.
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', '${app_role}',
                       substr($pw$-${app_password}$pw$, 2));
    END IF;
END
$do$;

REVOKE ALL ON audit_events FROM PUBLIC;
DO
$do$
BEGIN
    IF '${app_role}' <> current_user THEN
        EXECUTE format('REVOKE ALL ON audit_events FROM %I', '${app_role}');
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), '${app_role}');
        EXECUTE format('GRANT SELECT, INSERT ON audit_events TO %I', '${app_role}');
    END IF;
END
$do$;
