-- A build's wall time exactly as its build.done reports it (the API showed finished_at minus
-- started_at, which also counted the claim and the recording, and differed from the event).
ALTER TABLE builds ADD COLUMN duration_ms BIGINT;
