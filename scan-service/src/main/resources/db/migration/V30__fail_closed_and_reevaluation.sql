-- The advisory database as a whole: whether it can be trusted to judge a scan. EMPTY (nothing
-- imported) and FAILED (the configured import failed, with its reason) make every scan end ERROR
-- unless the application's policy opts out. version = newest `modified` + a digest over the set.
CREATE TABLE advisory_database (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    state      TEXT        NOT NULL,
    version    TEXT        NOT NULL,
    digest     TEXT,
    newest     TIMESTAMPTZ,
    advisories BIGINT      NOT NULL DEFAULT 0,
    reason     TEXT,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO advisory_database (state, version, advisories)
SELECT CASE WHEN count(*) = 0 THEN 'EMPTY' ELSE 'READY' END, 'empty', count(*) FROM advisories;

-- Files an import left out (malformed, empty, too large, a bad zip), kept for the status API.
CREATE TABLE advisory_quarantine (
    id             BIGSERIAL PRIMARY KEY,
    source         TEXT        NOT NULL,
    file           TEXT        NOT NULL,
    reason         TEXT        NOT NULL,
    line           INTEGER,
    col            INTEGER,
    pointer        TEXT,
    quarantined_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX advisory_quarantine_recent ON advisory_quarantine (quarantined_at DESC);

-- Releases are stored as each OS compares them (Alpine:v3.19 -> 3.19, Ubuntu:22.04:LTS -> 22.04,
-- Red Hat:enterprise_linux:9::appstream -> 9); rewrite what V2 stored verbatim.
UPDATE affected SET release = substring(release FROM '([0-9]+\.[0-9]+)')
WHERE ecosystem IN ('Alpine', 'Ubuntu') AND release IS NOT NULL;
UPDATE affected SET release = substring(release FROM '([0-9]+)')
WHERE ecosystem IN ('Red Hat', 'Rocky Linux', 'AlmaLinux', 'Debian') AND release IS NOT NULL;

-- What a scan could not match (no purl, unknown type, unreadable version), with the reason.
ALTER TABLE scans ADD COLUMN unmatched_components JSONB;

-- OS packages: the release they belong to, a second name advisories may use (an RPM's source
-- package) and the version compared (the source version of a Debian binary package).
ALTER TABLE image_components ADD COLUMN release TEXT;
ALTER TABLE image_components ADD COLUMN alternate_name TEXT COLLATE "C";
ALTER TABLE image_components ADD COLUMN match_version TEXT;
UPDATE image_components SET match_version = version;
ALTER TABLE image_components ALTER COLUMN match_version SET NOT NULL;
CREATE INDEX image_components_alternate ON image_components (ecosystem, alternate_name)
    WHERE alternate_name IS NOT NULL;

-- The run and commit of the release that serves, for the events about it.
ALTER TABLE deployments ADD COLUMN run_id TEXT;
ALTER TABLE deployments ADD COLUMN commit_sha TEXT;

-- Every name (id and aliases) of every finding already known for a digest's component: from its
-- scan, and from each re-evaluation. A re-evaluation reports only what none of them names.
CREATE TABLE known_findings (
    digest TEXT NOT NULL,
    purl   TEXT NOT NULL,
    name   TEXT NOT NULL,
    PRIMARY KEY (digest, purl, name)
);

-- Re-evaluations, leased work: of the running digests an import's changed advisories name, or of
-- one digest that began to serve (its scan may predate advisories imported since).
CREATE TABLE reevaluations (
    id          BIGSERIAL PRIMARY KEY,
    db_version  TEXT        NOT NULL,
    advisories  TEXT[]      NOT NULL,
    digest      TEXT,
    status      TEXT        NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMPTZ,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    found       INTEGER,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ
);
CREATE INDEX reevaluations_claimable ON reevaluations (id) WHERE status IN ('QUEUED', 'RUNNING');

-- Findings a re-evaluation newly found on a running digest (each published as vulnerability.found).
CREATE TABLE exposures (
    event_id      TEXT PRIMARY KEY,
    application   TEXT        NOT NULL,
    environment   TEXT        NOT NULL,
    digest        TEXT        NOT NULL,
    image         TEXT,
    purl          TEXT        NOT NULL,
    version       TEXT        NOT NULL,
    advisory_id   TEXT        NOT NULL,
    aliases       TEXT[]      NOT NULL,
    severity      TEXT        NOT NULL,
    gated_as      TEXT        NOT NULL,
    fixed_version TEXT,
    db_version    TEXT        NOT NULL,
    found_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX exposures_recent ON exposures (found_at DESC, event_id DESC);
