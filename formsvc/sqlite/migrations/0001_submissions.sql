-- Submissions: tip-offs and support requests.
-- Counting fields (kind, status, priority, category, dates) stay in clear;
-- what a person wrote is in `content`, encrypted by the service.
CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('tip', 'support')),
    ref_year     INTEGER NOT NULL,
    ref_seq      INTEGER NOT NULL,
    receipt_hash BLOB    NOT NULL UNIQUE,
    status       TEXT    NOT NULL,
    priority     TEXT    NOT NULL CHECK (priority IN ('normal', 'high')),
    category     TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    content      BLOB    NOT NULL,
    UNIQUE (kind, ref_year, ref_seq)
);
CREATE INDEX submissions_kind_status_created ON submissions (kind, status, created_at);
CREATE INDEX submissions_kind_created ON submissions (kind, created_at);

-- The service codes of a support request, one row each, for counting.
CREATE TABLE submission_services (
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    code          TEXT    NOT NULL,
    PRIMARY KEY (submission_id, code)
);

-- Photos attached to a tip, metadata removed and encrypted.
CREATE TABLE photos (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    content_type  TEXT    NOT NULL,
    data          BLOB    NOT NULL
);
CREATE INDEX photos_submission ON photos (submission_id);
