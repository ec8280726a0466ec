-- One row per build asked for; event_id is the commit.received that asked, so a redelivered
-- event never queues a second build.
CREATE TABLE builds (
    event_id     TEXT PRIMARY KEY,
    run_id       TEXT        NOT NULL,
    application  TEXT        NOT NULL,
    commit_sha   TEXT        NOT NULL,
    ref          TEXT        NOT NULL,
    repo_url     TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX builds_application_requested_at ON builds (application, requested_at DESC);
