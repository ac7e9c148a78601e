package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// PurgeClosed deletes the records closed before cutoff, with their photos,
// services and messages (ON DELETE CASCADE); an open record is never
// deleted, however old. secure_delete overwrites the freed pages, and a
// checkpoint moves the change out of the WAL. It returns how many records
// went.
func (db *DB) PurgeClosed(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`DELETE FROM submissions
			WHERE status = ? AND closed_at IS NOT NULL AND closed_at < ?`,
			formsvc.StatusClosed, cutoff.UTC().Format(TimeFormat))
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	// The checkpoint runs on the write connection between two of the
	// writer's transactions (the pool's one connection is the writer's
	// while a transaction lasts), so ctx can stop only the checkpoint
	// itself, and the error says that it did not finish.
	if _, err := db.wdb.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return n, fmt.Errorf("checkpoint after purge: %w", err)
	}
	return n, nil
}
