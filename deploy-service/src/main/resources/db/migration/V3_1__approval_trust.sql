-- Approvals that mean four eyes (DESIGN.md "Trust"): an approval expires, is revoked when what it
-- approved stops holding in an environment before it, and is used by exactly one rollout.
ALTER TABLE approvals
    ADD COLUMN expires_at      TIMESTAMPTZ,
    ADD COLUMN used_by_rollout TEXT;
UPDATE approvals SET expires_at = created_at + INTERVAL '24 hours' WHERE expires_at IS NULL;
ALTER TABLE approvals ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX approvals_live ON approvals (expires_at)
    WHERE status IN ('PENDING', 'APPROVED') AND used_by_rollout IS NULL;

-- The approval a deploy.requested says it was granted by (reason APPROVAL).
ALTER TABLE rollouts ADD COLUMN approval_id TEXT;

-- Everyone who wrote, committed or pushed each push of an application, in the order pushes arrived
-- (commit.received is keyed by application, so seq follows the application's push order). The
-- people who may not approve a promotion are those of every push since the environment's release.
CREATE TABLE change_contributors (
    seq          BIGSERIAL   PRIMARY KEY,
    event_id     TEXT        NOT NULL UNIQUE,
    application  TEXT        NOT NULL,
    run_id       TEXT        NOT NULL,
    ref          TEXT        NOT NULL,
    commit_sha   TEXT        NOT NULL,
    provider     TEXT        NOT NULL,
    actor        TEXT        NOT NULL,
    people       JSONB       NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX change_contributors_run ON change_contributors (run_id);
CREATE INDEX change_contributors_application ON change_contributors (application, ref, seq);

-- scan-service's verdicts, from scan.done (which only scan-service may write): a digest is applied
-- only when a verdict for it PASSED.
CREATE TABLE scan_verdicts (
    event_id     TEXT        PRIMARY KEY,
    application  TEXT        NOT NULL,
    image_digest TEXT        NOT NULL,
    verdict      TEXT        NOT NULL,
    policy       JSONB       NOT NULL,
    db_version   TEXT        NOT NULL,
    reason       TEXT,
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX scan_verdicts_digest ON scan_verdicts (application, image_digest, recorded_at DESC);

-- A vote is counted by the approver's stable identity (the token's subject, qualified by its
-- issuer); the name is what people read.
ALTER TABLE approval_votes ADD COLUMN approver_name TEXT;
