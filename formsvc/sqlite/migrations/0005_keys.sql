-- Steps that need the key file, run by the service when it opens the
-- database (after these SQL migrations), each once, in the transaction
-- that records it here.
CREATE TABLE keyed_migrations (
    name       TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
