-- Re-evaluations become work/'s leased queue (dev.slipway.work.queue.QueueTable), as the scans did
-- in V32: its key is text (the sequence's numbers as text), claims follow created_at, and every
-- claim takes a fencing token from work_lease_token, so a holder that lost its lease writes nothing.
-- Queued rows keep their id and are claimed as before; rows running while this migrates have no
-- token: they are taken over once their lease ran out, as those of an instance that died.
ALTER TABLE reevaluations ADD COLUMN lease_token BIGINT;
ALTER TABLE reevaluations ALTER COLUMN id DROP DEFAULT;
ALTER TABLE reevaluations ALTER COLUMN id TYPE TEXT USING id::text;
ALTER TABLE reevaluations ALTER COLUMN id SET DEFAULT nextval('reevaluations_id_seq')::text;

DROP INDEX reevaluations_claimable;
CREATE INDEX reevaluations_claimable ON reevaluations (created_at)
    WHERE status IN ('QUEUED', 'RUNNING');
