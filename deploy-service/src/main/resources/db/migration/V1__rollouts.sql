-- One row per rollout asked for; event_id is the deploy.requested that asked, so a redelivered
-- event never starts a second rollout.
CREATE TABLE rollouts (
    event_id     TEXT PRIMARY KEY,
    run_id       TEXT        NOT NULL,
    application  TEXT        NOT NULL,
    environment  TEXT        NOT NULL,
    image        TEXT        NOT NULL,
    image_digest TEXT        NOT NULL,
    reason       TEXT        NOT NULL,
    requested_by TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX rollouts_application_environment ON rollouts (application, environment, requested_at DESC);
