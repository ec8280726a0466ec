-- V1 kept only a queue of pending scans without the policy, ignores or run of their build, and
-- nothing ever took them: they cannot be scanned, so the table is replaced rather than migrated.
DROP TABLE scans;

-- One row per scan: of a build (kind BUILD, one per build.done event) or ad hoc (kind ADHOC).
-- PENDING rows are claimed by a worker (status SCANNING with a lease); the verdict, findings and
-- the events they cause are written in one transaction.
CREATE TABLE scans (
    scan_id            TEXT PRIMARY KEY,
    kind               TEXT        NOT NULL,
    build_event_id     TEXT UNIQUE,
    run_id             TEXT,
    application        TEXT        NOT NULL,
    commit_sha         TEXT,
    image              TEXT,
    image_digest       TEXT,
    sbom_ref           TEXT,
    requested_by       TEXT        NOT NULL,
    cause              TEXT,
    policy             JSONB       NOT NULL,
    ignores            JSONB       NOT NULL,
    status             TEXT        NOT NULL,
    reason             TEXT,
    db_version         TEXT,
    counts             JSONB,
    findings           JSONB,
    license_violations JSONB,
    components         INTEGER,
    unmatched          INTEGER,
    sbom               BYTEA,
    attempts           INTEGER     NOT NULL DEFAULT 0,
    not_before         TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_owner        TEXT,
    lease_until        TIMESTAMPTZ,
    requested_at       TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ
);

CREATE INDEX scans_page ON scans (requested_at DESC, scan_id DESC);
CREATE INDEX scans_application_page ON scans (application, requested_at DESC, scan_id DESC);
CREATE INDEX scans_claimable ON scans (requested_at) WHERE status IN ('PENDING', 'SCANNING');

-- The components of every scanned image, for the exposure query over deployed digests.
CREATE TABLE image_components (
    image_digest TEXT NOT NULL,
    ecosystem    TEXT NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    version      TEXT NOT NULL,
    purl         TEXT NOT NULL,
    PRIMARY KEY (image_digest, purl)
);

CREATE INDEX image_components_package ON image_components (ecosystem, name);

-- The OSV database. A newer `modified` replaces an entry; a withdrawn entry keeps its document
-- but loses its affected rows, so it no longer matches.
CREATE TABLE advisories (
    id          TEXT PRIMARY KEY,
    aliases     TEXT[]      NOT NULL,
    modified    TIMESTAMPTZ NOT NULL,
    published   TIMESTAMPTZ,
    withdrawn   TIMESTAMPTZ,
    summary     TEXT,
    severity    TEXT        NOT NULL,
    cvss_score  DOUBLE PRECISION,
    cvss_vector TEXT,
    document    JSONB       NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX advisories_aliases ON advisories USING GIN (aliases);
CREATE INDEX advisories_modified ON advisories (modified);

-- One row per affected package of an advisory; name normalised as its ecosystem does, byte order
-- ("C") so a Go module path finds the package paths below it with a range scan.
CREATE TABLE affected (
    advisory_id TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    ecosystem   TEXT NOT NULL,
    release     TEXT,
    name        TEXT COLLATE "C" NOT NULL,
    ranges      JSONB  NOT NULL,
    versions    TEXT[] NOT NULL
);

CREATE INDEX affected_package ON affected (ecosystem, name);
CREATE INDEX affected_advisory ON affected (advisory_id);

-- Which digest serves in which application and environment now, from deploy.done.
CREATE TABLE deployments (
    application TEXT        NOT NULL,
    environment TEXT        NOT NULL,
    cluster     TEXT        NOT NULL,
    namespace   TEXT        NOT NULL,
    image       TEXT,
    digest      TEXT        NOT NULL,
    revision    BIGINT      NOT NULL,
    event_id    TEXT        NOT NULL,
    since       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application, environment)
);

CREATE INDEX deployments_digest ON deployments (digest);

-- Events to publish, written in the transaction of the state change that caused them; the relay
-- publishes them in seq order and marks them sent after Kafka's acknowledgement.
CREATE TABLE outbox (
    seq         BIGSERIAL PRIMARY KEY,
    event_id    TEXT        NOT NULL UNIQUE,
    topic       TEXT        NOT NULL,
    application TEXT        NOT NULL,
    event       TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ
);

CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
