-- Retention deletes by age: find old responses without reading the whole table.
CREATE INDEX IF NOT EXISTS responses_created_at ON responses (created_at);
