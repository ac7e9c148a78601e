package sqlite

import (
	"context"
)

// Queued is how many writes wait for the writer (tests only).
func (db *DB) Queued() int { return len(db.reqs) }

// Exec runs one statement through the writer, as a write of its own
// (tests only).
func (db *DB) Exec(ctx context.Context, q string, args ...any) error {
	return db.write(ctx, func(w *wtx) error {
		_, err := w.Exec(q, args...)
		return err
	})
}

// HoldWriter queues a write that holds the writer until release is
// called, and returns once it runs: the writes queued meanwhile share
// the next group commit (tests only).
func (db *DB) HoldWriter(ctx context.Context) (release func(), done <-chan error) {
	held := make(chan struct{})
	rel := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.write(ctx, func(*wtx) error {
			close(held)
			<-rel
			return nil
		})
	}()
	<-held
	return func() { close(rel) }, errc
}
