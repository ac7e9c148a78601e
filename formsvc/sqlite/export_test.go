package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// Query runs a read query (tests only).
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, q, args...)
}

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

// Probes is how many probes WriteHealth has sent (tests only).
func (db *DB) Probes() int64 { return db.health.probes.Load() }

// SetHealth sets how long the writer's last outcome stands for the
// health of writes (0: every check probes) and how long a check waits for
// its probe (tests only).
func (db *DB) SetHealth(ttl, wait time.Duration) {
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	db.health.ttl, db.health.wait = ttl, wait
}
