-- Rollouts are work/'s leased queue (dev.slipway.work.queue.QueueTable): besides lease_owner and
-- lease_until, every claim takes a fencing token from work_lease_token (lease_token) and counts in
-- attempts, and every write of a rollout's step or outcome is fenced by owner and token, so a
-- worker that lost its lease is told apart even from a later claim by the same instance.
-- Rollouts queued while this migrates stay queued. Running ones keep their holder and lease; having
-- no token, their former holder writes nothing more, and they are taken over, from their stored
-- phase, once their lease ran out, as a rollout of an instance that died.
ALTER TABLE rollouts
    ADD COLUMN lease_token BIGINT,
    ADD COLUMN attempts    INTEGER NOT NULL DEFAULT 0;

-- A rollout claimed before counts that claim.
UPDATE rollouts SET attempts = 1
WHERE status IN ('QUEUED', 'RUNNING') AND lease_owner IS NOT NULL;
