-- The application registry. Filters and the environment chain are JSON text in the shape of the
-- event contract; the webhook secret is AES-GCM ciphertext (nonce || ciphertext || tag).
CREATE TABLE applications (
    name                TEXT PRIMARY KEY,
    repo_url            TEXT        NOT NULL,
    provider            TEXT        NOT NULL,
    webhook_secret      BYTEA       NOT NULL,
    branch_filters      TEXT        NOT NULL,
    tag_filters         TEXT        NOT NULL,
    environments        TEXT        NOT NULL,
    scan_fail_on        TEXT        NOT NULL,
    scan_ignore_unfixed BOOLEAN     NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    version             BIGINT      NOT NULL
);

CREATE INDEX applications_provider_repo_url ON applications (provider, repo_url);

-- Webhook deliveries already turned into commit.received records. A row is inserted in the same
-- transaction that waits for Kafka's acknowledgement and is committed only after it, so the
-- primary key both detects redeliveries and serializes concurrent copies of one delivery.
CREATE TABLE deliveries (
    provider     TEXT        NOT NULL,
    delivery_key TEXT        NOT NULL,
    response     TEXT        NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, delivery_key)
);

CREATE INDEX deliveries_received_at ON deliveries (received_at);
