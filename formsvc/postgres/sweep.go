package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sweep runs idempotent clean-up statements every interval until stopped.
// Every instance runs its own; a statement that finds nothing costs an
// index look-up, and a failure (the server away) is tried again at the
// next tick.
type sweep struct {
	stop    chan struct{}
	done    chan struct{}
	stopped sync.Once
}

func startSweep(pool *pgxpool.Pool, every, timeout time.Duration, stmts ...string) *sweep {
	s := &sweep{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				for _, q := range stmts {
					ctx, cancel := context.WithTimeout(context.Background(), timeout)
					_, _ = pool.Exec(ctx, q)
					cancel()
				}
			}
		}
	}()
	return s
}

// close stops the sweep and waits for it; nil or a second call do nothing
// more.
func (s *sweep) close() {
	if s == nil {
		return
	}
	s.stopped.Do(func() { close(s.stop) })
	<-s.done
}
