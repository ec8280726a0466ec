-- Rollouts are worked on, not only queued: a worker claims the oldest unfinished rollout of an
-- application and environment with a lease, moves it through its phases (the state machine in
-- dev/slipway/deploy/rollout/DESIGN.md) and records the outcome and the events it causes in the
-- same transaction. seq orders requests as they were recorded; a rollout waits while an older one
-- of the same application and environment is unfinished.
ALTER TABLE rollouts
    ADD COLUMN seq              BIGSERIAL,
    ADD COLUMN commit_sha       TEXT,
    ADD COLUMN run_context      JSONB,
    ADD COLUMN approvers        JSONB       NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN target_revision  BIGINT,
    ADD COLUMN phase            TEXT        NOT NULL DEFAULT 'QUEUED',
    ADD COLUMN step             INT         NOT NULL DEFAULT 0,
    ADD COLUMN applied          BOOLEAN     NOT NULL DEFAULT FALSE,
    ADD COLUMN ready_at         TIMESTAMPTZ,
    ADD COLUMN samples          INT         NOT NULL DEFAULT 0,
    ADD COLUMN sample_failures  INT         NOT NULL DEFAULT 0,
    ADD COLUMN phase_since      TIMESTAMPTZ,
    ADD COLUMN cluster          TEXT,
    ADD COLUMN namespace        TEXT,
    ADD COLUMN strategy         TEXT,
    ADD COLUMN spec             JSONB,
    ADD COLUMN revision         BIGINT,
    ADD COLUMN restore_revision BIGINT,
    ADD COLUMN failure          TEXT,
    ADD COLUMN outcome          TEXT,
    ADD COLUMN serving_digest   TEXT,
    ADD COLUMN started_at       TIMESTAMPTZ,
    ADD COLUMN finished_at      TIMESTAMPTZ,
    ADD COLUMN cluster_failures INT         NOT NULL DEFAULT 0,
    ADD COLUMN lease_owner      TEXT,
    ADD COLUMN lease_until      TIMESTAMPTZ;

-- A release is a rollout that started: revisions count per application and environment.
CREATE UNIQUE INDEX rollouts_revision ON rollouts (application, environment, revision)
    WHERE revision IS NOT NULL;
CREATE INDEX rollouts_unfinished ON rollouts (application, environment, seq)
    WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX rollouts_succeeded ON rollouts (application, environment, finished_at DESC)
    WHERE status = 'SUCCEEDED';

-- What a rollout went through, for its progress endpoint and logs.
CREATE TABLE rollout_log (
    rollout_id TEXT        NOT NULL REFERENCES rollouts (event_id),
    seq        BIGSERIAL   PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    phase      TEXT        NOT NULL,
    step       INT         NOT NULL,
    message    TEXT        NOT NULL
);
CREATE INDEX rollout_log_rollout ON rollout_log (rollout_id, seq);

-- Promotions into an environment whose promotion is MANUAL wait here for distinct approvers.
CREATE TABLE approvals (
    id             TEXT PRIMARY KEY,
    application    TEXT        NOT NULL,
    environment    TEXT        NOT NULL,
    from_rollout   TEXT        NOT NULL,
    cause_event_id TEXT        NOT NULL,
    run_id         TEXT        NOT NULL,
    commit_sha     TEXT,
    image          TEXT        NOT NULL,
    image_digest   TEXT        NOT NULL,
    run_context    JSONB       NOT NULL,
    required       INT         NOT NULL,
    status         TEXT        NOT NULL,
    reason         TEXT,
    decided_by     TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at     TIMESTAMPTZ
);
CREATE INDEX approvals_pending ON approvals (application, environment) WHERE status = 'PENDING';
CREATE INDEX approvals_application ON approvals (application, created_at DESC);

CREATE TABLE approval_votes (
    approval_id TEXT        NOT NULL REFERENCES approvals (id),
    approver    TEXT        NOT NULL,
    approved_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (approval_id, approver)
);

-- Events to publish, written in the transaction of the state change that caused them and relayed
-- to Kafka in order (seq) per application; event_id is derived from the cause, so writing the same
-- event twice keeps one row.
CREATE TABLE outbox (
    seq         BIGSERIAL PRIMARY KEY,
    event_id    TEXT        NOT NULL UNIQUE,
    topic       TEXT        NOT NULL,
    application TEXT        NOT NULL,
    event       TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
