-- Messages between a reporter (through the follow-up page) and officers.
-- The body is encrypted by the service.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    author        TEXT    NOT NULL CHECK (author IN ('reporter', 'officer')),
    officer_id    INTEGER,
    body          BLOB    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX messages_submission ON messages (submission_id, id);

-- When a record was closed: retention counts from here.
ALTER TABLE submissions ADD COLUMN closed_at TEXT;
CREATE INDEX submissions_closed ON submissions (status, closed_at);
