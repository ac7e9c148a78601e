-- Officer alerts (issue 16). Nothing here holds anything of a record: the
-- outbox keeps counts, the cursors keep row ids, the overdue marks keep the
-- id of a record already alerted.

-- Where an officer's alerts go and which they want. No row: no address,
-- every type wanted.
CREATE TABLE officer_alerts (
    officer_id INTEGER PRIMARY KEY REFERENCES officers (id) ON DELETE CASCADE,
    email      TEXT    NOT NULL DEFAULT '',
    want_new     INTEGER NOT NULL DEFAULT 1,
    want_reply   INTEGER NOT NULL DEFAULT 1,
    want_overdue INTEGER NOT NULL DEFAULT 1,
    want_digest  INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT    NOT NULL
);

-- How far alerts have gone for each recipient ('officer:12', 'webhook:tip'):
-- the newest submission and message id already counted, and when the last
-- alert of each was made (one per recipient per delay window).
CREATE TABLE alert_cursors (
    recipient   TEXT    PRIMARY KEY,
    new_after   INTEGER NOT NULL,
    new_at      TEXT    NOT NULL DEFAULT '',
    reply_after INTEGER NOT NULL,
    reply_at    TEXT    NOT NULL DEFAULT ''
);

-- The dispatcher's other memory: the day of the last digest, the time of
-- the last search for overdue records.
CREATE TABLE alert_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Records already alerted as overdue: once per record.
CREATE TABLE alert_overdue (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
    at            TEXT    NOT NULL
);

-- The durable outbox: written in the same transaction as the cursors that
-- made it, sent by the dispatcher, retried with back-off, dropped after a
-- day of failures.
CREATE TABLE alert_outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT    NOT NULL CHECK (channel IN ('email', 'webhook')),
    officer_id INTEGER REFERENCES officers (id) ON DELETE CASCADE,
    kind       TEXT    CHECK (kind IN ('tip', 'support')),
    type       TEXT    NOT NULL CHECK (type IN ('new', 'reply', 'overdue', 'digest')),
    data       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    next_at    TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped', 'cancelled')),
    last_error TEXT    NOT NULL DEFAULT '',
    done_at    TEXT,
    CHECK ((channel = 'email') = (officer_id IS NOT NULL))
);
CREATE INDEX alert_outbox_due ON alert_outbox (state, next_at);
CREATE INDEX alert_outbox_done ON alert_outbox (state, done_at);
