-- The build queue takes the shape of work/'s leased queue (dev.slipway.work.queue.QueueTable):
-- the holder is lease_owner, a claim counts in attempts (not to be confused with attempt, the
-- attempt of the run), and every claim takes a fencing token from work_lease_token. A cancel asked
-- while a build runs is the status CANCELLING (the API still shows RUNNING with
-- cancelRequestedBy), which the worker's fenced finish turns into CANCELLED.
-- Rows running while this migrates keep their holder and lease; having no token, they are taken
-- over once their lease ran out, as a build of an instance that died.
ALTER TABLE builds RENAME COLUMN owner TO lease_owner;
ALTER TABLE builds RENAME COLUMN claims TO attempts;
ALTER TABLE builds ADD COLUMN lease_token BIGINT;

DROP INDEX builds_claimable;
CREATE INDEX builds_claimable ON builds (queued_at)
    WHERE status IN ('QUEUED', 'RUNNING', 'CANCELLING');
