-- The scan policy's fail-closed settings: what an advisory without a severity is gated as, and the
-- explicit opt-out that lets a scan pass when there is no advisory database.
ALTER TABLE applications ADD COLUMN scan_unknown_severity_as TEXT NOT NULL DEFAULT 'HIGH';
ALTER TABLE applications ADD COLUMN scan_allow_without_database BOOLEAN NOT NULL DEFAULT FALSE;
