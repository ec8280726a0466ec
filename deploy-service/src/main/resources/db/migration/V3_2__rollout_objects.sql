-- A release is a set of objects (the application's own rendered manifests, or the Deployment and
-- Service Slipway generates), applied by server-side apply and pruned like Argo CD:
--   manifests_ref  the rendered manifests artifact the request named (repository, digest)
--   manifests      the objects of this revision as fetched (null: generated from the spec)
--   created        the objects this rollout created (a failed first release removes only these)
-- An operator steers a running rollout (pause, resume, promote, abort) through command; a manual
-- rollback aborts what runs before it. errors counts unexpected failures of its turns,
-- analysis_errors the canary analysis' queries that failed in a row (inconclusive, not failed).
ALTER TABLE rollouts
    ADD COLUMN manifests_ref JSONB,
    ADD COLUMN manifests     JSONB,
    ADD COLUMN created       JSONB       NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN command       TEXT,
    ADD COLUMN command_by    TEXT,
    ADD COLUMN paused_at     TIMESTAMPTZ,
    ADD COLUMN errors        INT         NOT NULL DEFAULT 0,
    ADD COLUMN analysis_errors INT       NOT NULL DEFAULT 0;

CREATE INDEX rollouts_manifests_ref ON rollouts (application, image_digest)
    WHERE manifests_ref IS NOT NULL;
