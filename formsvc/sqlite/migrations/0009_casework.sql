-- Officers' casework (issue 17): priority set by an officer with a reason,
-- and referrals on record.

-- Every priority change, with the officer's reason (encrypted).
CREATE TABLE priority_history (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    from_priority TEXT    NOT NULL CHECK (from_priority IN ('normal', 'high')),
    to_priority   TEXT    NOT NULL CHECK (to_priority IN ('normal', 'high')),
    officer_id    INTEGER NOT NULL REFERENCES officers (id),
    reason        BLOB    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX priority_history_submission ON priority_history (submission_id, id);

-- Where a record was referred (a code of data/referrals.yaml), when, by
-- whom, and later what came of it. Nothing here is shown to the reporter.
CREATE TABLE referrals (
    id                 INTEGER PRIMARY KEY,
    submission_id      INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    destination        TEXT    NOT NULL,
    officer_id         INTEGER NOT NULL REFERENCES officers (id),
    created_at         TEXT    NOT NULL,
    outcome            TEXT,
    outcome_officer_id INTEGER REFERENCES officers (id),
    outcome_at         TEXT
);
CREATE INDEX referrals_submission ON referrals (submission_id, id);
CREATE INDEX referrals_destination ON referrals (destination);
