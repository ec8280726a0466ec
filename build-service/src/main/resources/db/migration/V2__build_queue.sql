-- The builds of V1 were only ever queued, never built, and lacked the event needed to build them.
DROP TABLE builds;

-- One row per attempt to build a run; attempt 1 comes from commit.received (so a redelivered
-- event, same run id, never queues a second build), later attempts from POST .../retry.
-- Workers claim QUEUED rows, or RUNNING rows whose lease expired (their instance died), with
-- FOR UPDATE SKIP LOCKED; owner + claims fence a worker that lost its lease from writing.
CREATE TABLE builds (
    id                  TEXT PRIMARY KEY,
    run_id              TEXT        NOT NULL,
    attempt             INT         NOT NULL,
    event_id            TEXT        NOT NULL,
    application         TEXT        NOT NULL,
    commit_sha          TEXT        NOT NULL,
    ref                 TEXT        NOT NULL,
    repo_url            TEXT        NOT NULL,
    commit_event        BYTEA       NOT NULL,
    status              TEXT        NOT NULL,
    requested_by        TEXT,
    queued_at           TIMESTAMPTZ NOT NULL,
    started_at          TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ,
    owner               TEXT,
    lease_until         TIMESTAMPTZ,
    claims              INT         NOT NULL DEFAULT 0,
    cancel_requested_by TEXT,
    image_reference     TEXT,
    image_digest        TEXT,
    sbom_ref            TEXT,
    tests_passed        INT,
    tests_failed        INT,
    tests_skipped       INT,
    failure             TEXT,
    stage_durations     TEXT,
    UNIQUE (run_id, attempt)
);

CREATE INDEX builds_claimable ON builds (queued_at) WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX builds_newest ON builds (queued_at DESC, id DESC);
CREATE INDEX builds_application_newest ON builds (application, queued_at DESC, id DESC);

-- The steps of the current claim of a build, with their timings.
CREATE TABLE build_steps (
    build_id    TEXT        NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    position    INT         NOT NULL,
    name        TEXT        NOT NULL,
    status      TEXT        NOT NULL,
    exit_code   INT,
    started_at  TIMESTAMPTZ NOT NULL,
    duration_ms BIGINT,
    PRIMARY KEY (build_id, position)
);

-- The build log, masked before it gets here, one row a line.
CREATE TABLE build_log (
    build_id TEXT   NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    seq      BIGINT NOT NULL,
    line     TEXT   NOT NULL,
    PRIMARY KEY (build_id, seq)
);

-- The CycloneDX SBOM of a successful build.
CREATE TABLE build_sboms (
    build_id   TEXT PRIMARY KEY REFERENCES builds (id) ON DELETE CASCADE,
    content    BYTEA NOT NULL,
    components INT   NOT NULL
);

-- Events to publish, written in the transaction that changed the build; the relay publishes
-- them in seq order and marks them sent after Kafka's ack. event_id is derived from the build,
-- so writing the same outcome twice is impossible and a republish carries the same id.
CREATE TABLE outbox (
    seq         BIGSERIAL PRIMARY KEY,
    event_id    TEXT        NOT NULL UNIQUE,
    application TEXT        NOT NULL,
    event       BYTEA       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ
);

CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
