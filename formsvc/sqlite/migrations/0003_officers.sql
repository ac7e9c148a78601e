-- Officers, their sessions, the case workflow and the audit log.
CREATE TABLE officers (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'police', 'social')),
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    totp_secret   BLOB,
    totp_enabled  INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- One-time recovery codes for the second factor, stored as hashes.
CREATE TABLE recovery_codes (
    officer_id INTEGER NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    code_hash  BLOB    NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (officer_id, code_hash)
);

-- Sessions of alexedwards/scs (its sqlite3store schema).
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

ALTER TABLE submissions ADD COLUMN assigned_to INTEGER REFERENCES officers (id);
ALTER TABLE submissions ADD COLUMN first_action_at TEXT;

-- Every status change, with the officer's note (encrypted).
CREATE TABLE status_history (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    from_status   TEXT    NOT NULL,
    to_status     TEXT    NOT NULL,
    officer_id    INTEGER NOT NULL REFERENCES officers (id),
    note          BLOB    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX status_history_submission ON status_history (submission_id, id);

-- Internal notes: never shown to the reporter (encrypted).
CREATE TABLE notes (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    officer_id    INTEGER NOT NULL REFERENCES officers (id),
    body          BLOB    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX notes_submission ON notes (submission_id, id);

-- The append-only audit log: who did what, when. Never a submission's
-- content, never a receipt, never a client's address.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    officer_id INTEGER,
    username   TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
