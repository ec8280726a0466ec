-- Platform-owned settings added to the registry: licences the scan denies and where build-service
-- clones from. Deployment settings travel inside the environments JSON (EnvironmentSpec).
ALTER TABLE applications ADD COLUMN scan_denied_licenses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN source_clone_url TEXT;
ALTER TABLE applications ADD COLUMN source_credentials_ref TEXT;

-- One number that changes with every write to the registry, so each instance's in-memory index of
-- applications (secrets, filters, pipelines) notices changes made by another instance by reading
-- one row instead of the whole table.
CREATE TABLE registry_version (
    id      INT    PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_registry_version() RETURNS trigger AS $$
BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER applications_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON applications
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();

-- Deliveries are now committed together with their outbox rows, before Kafka sees anything. The
-- table also keeps manual runs' Idempotency-Keys, with what the first request asked for.
ALTER TABLE deliveries ADD COLUMN fingerprint TEXT;

-- Pushes already turned into runs, by what they are rather than by the host's delivery id: a
-- replay under a new delivery id within the dedup window gets the original run.
CREATE TABLE pushes (
    application TEXT        NOT NULL,
    ref         TEXT        NOT NULL,
    commit_sha  TEXT        NOT NULL,
    run_id      TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application, ref, commit_sha)
);

CREATE INDEX pushes_received_at ON pushes (received_at);

-- The transactional outbox of commit.received: written in the transaction that accepts a push or
-- a manual run, published by the relay in id order, marked sent after Kafka's acknowledgement.
-- A row Kafka can never take (too large, unreadable) is parked with the reason instead.
CREATE TABLE outbox (
    id          BIGSERIAL   PRIMARY KEY,
    event_id    TEXT        NOT NULL UNIQUE,
    application TEXT        NOT NULL,
    event       TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ,
    parked_at   TIMESTAMPTZ,
    parked_why  TEXT
);

CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Which instance relays: one at a time, so records of one application leave in order.
CREATE TABLE relay_lease (
    name       TEXT        PRIMARY KEY,
    holder     TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
