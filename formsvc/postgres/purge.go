package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// purgeLock is the key of the transaction advisory lock (its two-int
// form: "form", 2) a purge holds: of two purges at once (two instances, a
// cron job beside an operator), one deletes and the other does nothing.
const purgeLock = `SELECT pg_try_advisory_xact_lock(1718579821, 2)`

// ErrPurgeRunning is returned by PurgeClosed when another purge holds
// the purge lock: nothing was deleted by this one.
var ErrPurgeRunning = errors.New("postgres: another purge is running")

// PurgeClosed deletes the records closed before cutoff, with their
// photos, services, messages, history, notes and referrals (ON DELETE
// CASCADE); an open record is never deleted, however old. It returns how
// many records went, or ErrPurgeRunning when another purge is under way.
// Unlike SQLite's secure_delete, PostgreSQL leaves the dead rows until
// VACUUM reuses their space; their content is sealed under the key file.
func (db *DB) PurgeClosed(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, purgeLock).Scan(&got); err != nil {
			return fmt.Errorf("purge lock: %w", err)
		}
		if !got {
			return ErrPurgeRunning
		}
		tag, err := tx.Exec(ctx, `DELETE FROM submissions
			WHERE status = $1 AND closed_at IS NOT NULL AND closed_at < $2`,
			string(formsvc.StatusClosed), cutoff.UTC())
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		n = tag.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
