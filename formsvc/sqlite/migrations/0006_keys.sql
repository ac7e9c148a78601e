-- Steps that need the key file, run by the service when it opens the
-- database (after these SQL migrations), each once, in the transaction
-- that records it here.
CREATE TABLE keyed_migrations (
    name       TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);

-- Which key file the database belongs to: the key's check value (an HMAC
-- of a fixed label under a key derived from the key file, never the key).
-- One row, written by the service the first time it opens the database
-- with a key that opens its sealed values. Every command refuses to start
-- with a key file whose check value differs.
CREATE TABLE key_check (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    value      BLOB    NOT NULL,
    created_at TEXT    NOT NULL
);

-- Officers' sessions are kept under the SHA-256 of their token from now on
-- (the cookie's value is never stored). The rows of raw tokens go now
-- (secure_delete overwrites them): officers sign in again once.
DELETE FROM sessions;
