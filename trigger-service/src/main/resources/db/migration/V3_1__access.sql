-- Who may do what, where (DESIGN.md "Trust"). Applications belong to a team; role bindings give a
-- group a role within a scope; identity links tie users to their Git host accounts. Every change of
-- these, of an application or of webhook secrets is one row of access_log, written in the
-- transaction of the change, and relayed to access.policy with the current policy.
ALTER TABLE applications ADD COLUMN team TEXT;

CREATE TABLE role_bindings (
    id          TEXT        PRIMARY KEY,
    version     BIGINT      NOT NULL,
    group_name  TEXT        NOT NULL,
    role        TEXT        NOT NULL,
    team        TEXT,
    application TEXT,
    environment TEXT,
    deleted     BOOLEAN     NOT NULL DEFAULT FALSE,
    changed_by  TEXT        NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every version of every binding, as it was written (deleted ones included).
CREATE TABLE role_binding_versions (
    id          TEXT        NOT NULL,
    version     BIGINT      NOT NULL,
    group_name  TEXT        NOT NULL,
    role        TEXT        NOT NULL,
    team        TEXT,
    application TEXT,
    environment TEXT,
    deleted     BOOLEAN     NOT NULL,
    changed_by  TEXT        NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);

CREATE TABLE identity_links (
    user_id    TEXT        PRIMARY KEY,
    version    BIGINT      NOT NULL,
    accounts   TEXT        NOT NULL,
    emails     TEXT        NOT NULL,
    changed_by TEXT        NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE access_log (
    version    BIGSERIAL   PRIMARY KEY,
    actor      TEXT        NOT NULL,
    action     TEXT        NOT NULL,
    target     TEXT,
    detail     TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at    TIMESTAMPTZ
);
CREATE INDEX access_log_unsent ON access_log (version) WHERE sent_at IS NULL;
