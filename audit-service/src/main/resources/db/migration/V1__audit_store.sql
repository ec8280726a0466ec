-- The audit store. Flyway runs this as the NOLOGIN owner role (slipway_audit_owner, reached by
-- SET ROLE from the migrator login); the service's own role (${app_role}) gets SELECT and INSERT
-- and nothing else. db/admin/bootstrap.sql, run once by the database administrator, creates the
-- three roles and the event trigger that refuses DDL on these tables once they hold history.

-- One row per Kafka record read from any Slipway topic or dead-letter topic, plus the service's
-- own audit.read rows. Rows are leaves of an RFC 6962 Merkle tree in seq order and also form a
-- hash chain: leaf_hash = SHA-256(0x00 || canonical content), hash = SHA-256(prev_hash ||
-- leaf_hash); the canonical content is written by AuditContent (see the README). seq is assigned
-- while the writer holds the append lock, so seq order is commit order, gapless from 1.
CREATE TABLE audit_events (
    seq             BIGINT      PRIMARY KEY,
    recorded_at     TIMESTAMPTZ NOT NULL,
    conflict_of     BIGINT,
    topic           TEXT        NOT NULL,
    topic_id        UUID,
    kafka_partition INTEGER,
    kafka_offset    BIGINT,
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
    quarantined     BOOLEAN     NOT NULL,
    problem         TEXT,
    event           JSON        NOT NULL,
    headers         JSON,
    leaf_hash       BYTEA       NOT NULL,
    prev_hash       BYTEA       NOT NULL,
    hash            BYTEA       NOT NULL,
    -- A Kafka record is stored once: a topic recreated under the same name has a new topic id, so
    -- its reused offsets are new records.
    CONSTRAINT audit_events_record_once UNIQUE (topic_id, kafka_partition, kafka_offset),
    -- Every indexed text is bounded well under a B-tree entry's limit (about 2.7 kB), so no value
    -- a producer chooses can make an insert fail; the reader enforces the same bounds first.
    CONSTRAINT audit_events_bounded CHECK (
        octet_length(topic) <= 255 AND octet_length(event_id) <= 256
        AND octet_length(type) <= 256 AND octet_length(source) <= 256
        AND octet_length(application) <= 256 AND octet_length(run_id) <= 256
        AND octet_length(causation_id) <= 256 AND octet_length(commit_sha) <= 256
        AND octet_length(environment) <= 256 AND octet_length(status) <= 256
        AND octet_length(actor) <= 1024),
    CONSTRAINT audit_events_hashes CHECK (
        octet_length(leaf_hash) = 32 AND octet_length(prev_hash) = 32 AND octet_length(hash) = 32)
);

-- event and headers are json, not jsonb: stored as the canonical text that was hashed, read back
-- exactly, and about half the CPU to take in (appends are CPU-bound). A row is about 2 kB, where
-- PostgreSQL starts compressing: lz4 costs a fraction of the default pglz's CPU.
ALTER TABLE audit_events ALTER COLUMN event SET COMPRESSION lz4;
ALTER TABLE audit_events ALTER COLUMN headers SET COMPRESSION lz4;

-- CloudEvents identity (source, id): a repeated id is looked up at ingest.
CREATE INDEX audit_events_event_id ON audit_events (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX audit_events_run ON audit_events (run_id, seq);
CREATE INDEX audit_events_commit ON audit_events (commit_sha, seq);
CREATE INDEX audit_events_application ON audit_events (application, seq);
-- Deploy events only, for DORA metrics; small and cheap to maintain.
CREATE INDEX audit_events_deploys ON audit_events (environment, event_time)
    WHERE environment IS NOT NULL;
-- Time ranges of export and queries; event_time follows insertion order closely.
CREATE INDEX audit_events_event_time ON audit_events USING brin (event_time);

-- Interior nodes of the Merkle tree at levels 8, 16, 24, ... (level 0 is audit_events.leaf_hash):
-- hash of the perfect subtree of 2^level leaves starting at leaf idx * 2^level. Every other node
-- is recomputed from at most 128 stored hashes, so an inclusion proof reads a few rows.
CREATE TABLE audit_tree_nodes (
    level SMALLINT NOT NULL,
    idx   BIGINT   NOT NULL,
    hash  BYTEA    NOT NULL,
    PRIMARY KEY (level, idx),
    CONSTRAINT audit_tree_nodes_level CHECK (level > 0 AND level % 8 = 0),
    CONSTRAINT audit_tree_nodes_hash CHECK (octet_length(hash) = 32)
);

-- Signed checkpoints: tree size and root hash as a C2SP signed note, with the tree's frontier
-- (the roots of the perfect subtrees that make up [0, tree_size)) so verification can continue
-- from a checkpoint without recomputing what came before.
CREATE TABLE audit_checkpoints (
    tree_size  BIGINT      PRIMARY KEY,
    root_hash  BYTEA       NOT NULL,
    frontier   BYTEA       NOT NULL,
    note       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Append-only for every role, the owner included: no UPDATE, DELETE or TRUNCATE statement, even
-- one that would touch no row (statement-level triggers fire regardless). ENABLE ALWAYS keeps them
-- firing under session_replication_role = replica too.
CREATE FUNCTION audit_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DO
$do$
DECLARE
    store TEXT;
BEGIN
    FOREACH store IN ARRAY ARRAY['audit_events', 'audit_tree_nodes', 'audit_checkpoints'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION audit_reject_change()', store || '_no_change', store);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION audit_reject_change()', store || '_no_truncate', store);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', store, store || '_no_change');
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', store, store || '_no_truncate');
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', store);
        EXECUTE format('GRANT SELECT, INSERT ON %I TO %I', store, '${app_role}');
    END LOOP;
END
$do$;
