-- One row per image to scan; event_id is the build.done that produced the image, so a
-- redelivered event never scans twice. Only successful builds have an image to scan.
CREATE TABLE scans (
    event_id     TEXT PRIMARY KEY,
    run_id       TEXT        NOT NULL,
    application  TEXT        NOT NULL,
    commit_sha   TEXT,
    image        TEXT        NOT NULL,
    image_digest TEXT        NOT NULL,
    sbom_ref     TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX scans_application_requested_at ON scans (application, requested_at DESC);
