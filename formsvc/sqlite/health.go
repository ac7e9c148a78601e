package sqlite

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// healthTTL is how long the outcome of the writer's last transaction
// stands for the health of writes; probeWait is how long a health check
// waits for its probe.
const (
	healthTTL = time.Second
	probeWait = time.Second
)

// errWritesStuck: the writer did not finish a transaction within
// probeWait (a lock held elsewhere, a long purge).
var errWritesStuck = &formsvc.Error{Code: formsvc.EUNAVAILABLE,
	Message: "Hệ thống chưa ghi được dữ liệu: việc ghi đang phải chờ quá lâu."}

// errWritesFailing: the writer's last transaction failed for a reason
// other than a lock (a full disk, an I/O error).
var errWritesFailing = &formsvc.Error{Code: formsvc.EUNAVAILABLE,
	Message: "Hệ thống chưa ghi được dữ liệu: lần ghi gần nhất bị lỗi."}

// health is what WriteHealth knows about the writer.
type health struct {
	ttl  time.Duration           // healthTTL
	wait time.Duration           // probeWait
	last atomic.Pointer[outcome] // the writer's last transaction
	mu   sync.Mutex              // one check at a time waits for a probe
	// probe receives the result of the probe in the writer's queue, if
	// one was sent and not yet received (guarded by mu).
	probe  chan error
	probes atomic.Int64 // probes sent
}

// outcome is how a transaction of the writer ended, and when.
type outcome struct {
	at  time.Time
	err error
}

func (h *health) record(at time.Time, err error) { h.last.Store(&outcome{at: at, err: err}) }

// WriteHealth reports whether writes commit: nil, or an error whose code
// is EUNAVAILABLE. It answers from how the writer's last transaction
// ended when that is less than a second old, which under traffic it
// always is: a health check then costs nothing. Otherwise it sends a
// probe through the writer, an empty write (BEGIN IMMEDIATE, then a
// COMMIT that has nothing to write: no fsync), and waits for it at most a
// second. At most one probe is in the queue at a time and its outcome
// stands for a second, so health checks, however many, cannot load the
// writer.
func (db *DB) WriteHealth(ctx context.Context) error {
	h := &db.health
	h.mu.Lock()
	defer h.mu.Unlock()
	last := h.last.Load()
	if last != nil && time.Since(last.at) < h.ttl {
		return healthError(last.err)
	}
	if h.probe != nil {
		select {
		case <-h.probe: // an earlier probe, finished (and recorded) since
			h.probe = nil
		default: // still in the queue: wait for it rather than send another
		}
	}
	if h.probe == nil {
		req := &writeReq{fn: func(*wtx) error { return nil }, rerun: true, probe: true, err: make(chan error, 1)}
		if err := db.send(ctx, req); err != nil {
			return fmt.Errorf("%w: %w", errWritesStuck, err)
		}
		h.probes.Add(1)
		h.probe = req.err
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case err := <-h.probe:
		h.probe = nil
		return healthError(err)
	case <-t.C:
		// Stands for a second, unless the writer finishes meanwhile.
		h.last.CompareAndSwap(last, &outcome{at: time.Now(), err: errWritesStuck})
		return errWritesStuck
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", errWritesStuck, ctx.Err())
	}
}

// healthError is the error of a failed transaction as WriteHealth
// reports it: always with code EUNAVAILABLE.
func healthError(err error) error {
	if err == nil || formsvc.ErrorCode(err) == formsvc.EUNAVAILABLE {
		return err
	}
	return fmt.Errorf("%w: %w", errWritesFailing, err)
}
