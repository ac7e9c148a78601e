-- What instances of the service share besides the records (see
-- formsvc/shared.go): rate counts per keyed-hash key and window, and the
-- hashes of tokens that are good once. UNLOGGED: written often, needed
-- only for minutes, never worth a WAL record, a backup or a standby's
-- copy (after a crash or a failover they start empty: the limits start
-- again). Expired rows are deleted every minute by every instance.
CREATE UNLOGGED TABLE rate_counts (
    key     text        NOT NULL CHECK (length(key) <= 200),
    win     timestamptz NOT NULL,
    n       integer     NOT NULL,
    expires timestamptz NOT NULL,
    PRIMARY KEY (key, win)
);
CREATE INDEX rate_counts_expires ON rate_counts (expires);

CREATE UNLOGGED TABLE spent_tokens (
    hash    bytea       PRIMARY KEY CHECK (length(hash) = 32),
    expires timestamptz NOT NULL
);
CREATE INDEX spent_tokens_expires ON spent_tokens (expires);
