-- Build scans are work/'s leased queue (dev.slipway.work.queue.QueueTable): besides lease_owner,
-- lease_until and attempts, every claim now takes a fencing token from work_lease_token, so a
-- worker that lost its lease is told apart even from a later claim by the same instance.
-- Scans running while this migrates have no token: they are taken over once their lease ran out.
ALTER TABLE scans ADD COLUMN lease_token BIGINT;
