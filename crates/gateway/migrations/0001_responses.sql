-- Responses, their input items and their stream events (for replay).
-- Written to run unchanged on SQLite and PostgreSQL.
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY NOT NULL,
    created_at BIGINT NOT NULL,
    previous_response_id TEXT,
    response TEXT NOT NULL,
    input_items TEXT NOT NULL,
    has_events BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS response_events (
    response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (response_id, seq)
);
