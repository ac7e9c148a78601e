package postgres

import (
	"context"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// sharedCleanupEvery is how often each instance deletes expired counts
// and tokens.
var sharedCleanupEvery = time.Minute

var _ formsvc.SharedState = (*DB)(nil)

// SharedState is the state the instances on this database share: rate
// counts and spent tokens, in the unlogged tables of migration 0010. The
// first call starts the clean-up of expired rows, stopped by Close.
func (db *DB) SharedState() formsvc.SharedState {
	db.sharedOnce.Do(func() {
		db.sharedSweep = startSweep(db.pool, sharedCleanupEvery, db.writeTimeout,
			`DELETE FROM rate_counts WHERE expires < now()`,
			`DELETE FROM spent_tokens WHERE expires < now()`)
	})
	return db
}

// AddCount implements formsvc.RateCounter in one statement: the add and
// the read see every instance's adds before them.
func (db *DB) AddCount(ctx context.Context, key string, w time.Time, per time.Duration, n int) (cur, prev int, err error) {
	ctx, cancel := context.WithTimeout(ctx, db.writeTimeout)
	defer cancel()
	err = db.pool.QueryRow(ctx, `WITH c AS (
			INSERT INTO rate_counts (key, win, n, expires) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key, win) DO UPDATE SET n = rate_counts.n + excluded.n
			RETURNING n)
		SELECT (SELECT n FROM c), coalesce((SELECT n FROM rate_counts WHERE key = $1 AND win = $5), 0)`,
		key, w.UTC(), n, w.Add(2*per).UTC(), w.Add(-per).UTC()).Scan(&cur, &prev)
	return cur, prev, unavailable(err)
}

// Counts implements formsvc.RateCounter.
func (db *DB) Counts(ctx context.Context, key string, w time.Time, per time.Duration) (cur, prev int, err error) {
	ctx, cancel := context.WithTimeout(ctx, db.writeTimeout)
	defer cancel()
	err = db.pool.QueryRow(ctx, `SELECT
			coalesce(sum(n) FILTER (WHERE win = $2), 0), coalesce(sum(n) FILTER (WHERE win = $3), 0)
		FROM rate_counts WHERE key = $1 AND win IN ($2, $3)`, key, w.UTC(), w.Add(-per).UTC()).Scan(&cur, &prev)
	return cur, prev, unavailable(err)
}

// SpendOnce implements formsvc.OnceSet: the first insert of a hash wins,
// on any instance.
func (db *DB) SpendOnce(ctx context.Context, hash [32]byte, expires time.Time) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, db.writeTimeout)
	defer cancel()
	tag, err := db.pool.Exec(ctx, `INSERT INTO spent_tokens (hash, expires) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`,
		hash[:], expires.UTC())
	if err != nil {
		return false, unavailable(err)
	}
	return tag.RowsAffected() == 1, nil
}
