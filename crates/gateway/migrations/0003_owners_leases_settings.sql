-- Defects 1, 6 and 11 of issue 12. Written to run unchanged on SQLite and PostgreSQL.

-- The client key a response belongs to, as a keyed hash (HMAC-SHA256 under a secret derived
-- from `gateway_settings.secret`, hex); NULL on a gateway without client keys.
ALTER TABLE responses ADD COLUMN owner TEXT;

-- The gateway instance writing a response that is still `in_progress`; NULL once it is final.
-- A response whose writer's lease (`gateway_instances.heartbeat_at`) has expired was
-- interrupted: the next instance to look marks it failed.
ALTER TABLE responses ADD COLUMN writer TEXT;

-- Responses left in progress before this migration have no known writer: the empty name,
-- which no live instance has, so they count as interrupted. (A cheap text test; the store
-- checks the status itself before failing one.)
UPDATE responses SET writer = '' WHERE response LIKE '%"status":"in_progress"%';

CREATE INDEX IF NOT EXISTS responses_writer ON responses (writer);

-- One row per gateway instance: the last time it renewed its lease (Unix seconds).
CREATE TABLE IF NOT EXISTS gateway_instances (
    id TEXT PRIMARY KEY NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

-- Settings every instance sharing the store agrees on; `secret` is generated on first start.
CREATE TABLE IF NOT EXISTS gateway_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
