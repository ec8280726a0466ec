-- Registry settings of an application's builds: its folder in a monorepo, its default branch, the
-- refs it trusts (they share the default branch's cache) and the platform secrets its builds may
-- read, each bound to refs (a JSON list, in the shape commit.received carries).
ALTER TABLE applications ADD COLUMN source_directory TEXT;
ALTER TABLE applications ADD COLUMN build_default_branch TEXT NOT NULL DEFAULT 'main';
ALTER TABLE applications ADD COLUMN build_protected_refs TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN build_secrets TEXT NOT NULL DEFAULT '[]';
