package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/batch"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

// Group commit of new submissions.
//
// A submission takes the next reference number of its kind and year
// (qInsertSubmission), and the counter's row stays locked until its
// transaction has committed, fsync included: with one transaction per
// submission, submissions from every request and every instance commit
// one after another, one fsync each, whatever the concurrency (measured
// flat at 300–550 a second from 1 to 64 clients, below SQLite's naive
// baseline: docs/BENCHMARKS.md). So, as the SQLite store does, one
// goroutine per instance (the submitter) takes the submissions waiting at
// that moment and stores them in one transaction: one lock of the
// counter and one fsync for the group. Each is answered only once that
// transaction has committed; the numbers stay without gaps.
//
// The group is first sent in one round trip (a pgx batch: ids, then every
// insert). If a receipt is already taken (a retry with the same
// Idempotency-Key, which the web layer answers with the stored receipt) or
// a statement fails for one submission, that transaction is rolled back
// and the group runs again with a savepoint each, so that only that
// submission fails and no number is lost.

// maxGroup bounds how many submissions share one transaction.
const maxGroup = 256

// errClosed is the error of a submission sent, or a Ping, after Close.
var errClosed = fmt.Errorf("%w: the store is closed", ErrUnavailable)

// subReq is one submission waiting for its group.
type subReq struct {
	s        *formsvc.Submission
	receipt  []byte
	content  []byte   // s.Content encoded: sealed in the transaction, for the id it gets there
	photos   [][]byte // sealed (their place does not name the id)
	category *string
	year     int

	id  int64 // set by the submitter before done
	seq int
	res error // this submission's own outcome
	err chan error
}

// submitter is the goroutine that stores the waiting submissions in
// groups, until Close closes the queue.
type submitter struct {
	mu      sync.RWMutex
	closed  bool
	reqs    chan *subReq
	stopped chan struct{}
	limit   int // submissions per group

	commits, stored atomic.Int64 // transactions committed, submissions they stored
}

// GroupStats reports how many transactions have stored new submissions
// and how many submissions they held: stored/commits is the mean group.
func (db *DB) GroupStats() (commits, stored int64) {
	return db.sub.commits.Load(), db.sub.stored.Load()
}

func (db *DB) startSubmitter(limit int) {
	db.sub = &submitter{reqs: make(chan *subReq, maxGroup), stopped: make(chan struct{}), limit: limit}
	go db.submit()
}

// stopSubmitter stores what is queued and stops the submitter.
func (db *DB) stopSubmitter() {
	db.sub.mu.Lock()
	if !db.sub.closed {
		db.sub.closed = true
		close(db.sub.reqs)
	}
	db.sub.mu.Unlock()
	<-db.sub.stopped
}

// enqueue hands r to the submitter and waits for its outcome. ctx bounds
// only the wait for a place in the queue: once queued, r may be
// committed, so the answer waits for the transaction's outcome (bounded
// by the write timeout).
func (db *DB) enqueue(ctx context.Context, r *subReq) error {
	db.sub.mu.RLock()
	if db.sub.closed {
		db.sub.mu.RUnlock()
		return errClosed
	}
	select {
	case db.sub.reqs <- r:
		db.sub.mu.RUnlock()
	case <-ctx.Done():
		db.sub.mu.RUnlock()
		return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
	return <-r.err
}

func (db *DB) submit() {
	defer close(db.sub.stopped)
	for r := range db.sub.reqs {
		db.storeGroup(batch.Gather(db.sub.reqs, r, db.sub.limit))
	}
}

// storeGroup stores group in one transaction and answers each.
func (db *DB) storeGroup(group []*subReq) {
	redo, err := db.runGroup(group, false)
	if redo {
		_, err = db.runGroup(group, true)
	}
	if err == nil {
		db.sub.commits.Add(1)
		for _, r := range group {
			if r.res == nil {
				db.sub.stored.Add(1)
			}
		}
	}
	for _, r := range group {
		if err != nil {
			r.err <- err
		} else {
			r.err <- r.res
		}
	}
}

// runGroup runs group in one transaction, under the write timeout. Sent
// at once (careful false), a receipt already taken or a failed statement
// rolls it all back and asks for a careful run (redo), unless the group
// is one submission (its outcome is then its own: res). Careful, each
// submission runs in a savepoint: one that fails is rolled back alone.
// err is the transaction's error (the database unavailable, the commit
// failed or its outcome unknown): every submission of the group fails
// with it.
func (db *DB) runGroup(group []*subReq, careful bool) (redo bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), db.writeTimeout)
	defer cancel()
	for _, r := range group {
		r.res = nil
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if careful {
			return db.insertEach(ctx, tx, group)
		}
		failed, err := db.insertAll(ctx, tx, group)
		if err == nil && failed != nil {
			if len(group) == 1 {
				group[0].res = failed
			} else {
				redo = true
			}
			return errRollback
		}
		return err
	})
	if errors.Is(err, errRollback) {
		return redo, nil
	}
	if err != nil {
		err = unavailable(err)
		if formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE && !careful && len(group) > 1 {
			return true, nil // one submission's statement failed: find which
		}
		if len(group) == 1 && formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
			group[0].res = err
			return false, nil
		}
	}
	return false, err
}

// errRollback rolls back a group's transaction with no error of its own.
var errRollback = errors.New("roll back")

// insertAll sends every insert of group in one batch. failed is the
// first submission's own failure (ErrReceiptTaken, or a statement's
// error): the transaction must then be rolled back.
func (db *DB) insertAll(ctx context.Context, tx pgx.Tx, group []*subReq) (failed error, err error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('submissions', 'id'))
		FROM (SELECT `+newRowsShared+`) l, generate_series(1, $1)`, len(group))
	if err != nil {
		return nil, fmt.Errorf("next ids of submissions: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("next ids of submissions: %w", err)
	}
	if len(ids) != len(group) {
		return nil, fmt.Errorf("next ids of submissions: %d for %d", len(ids), len(group))
	}
	b := &pgx.Batch{}
	for i, r := range group {
		r.id = ids[i]
		db.queueInsert(b, r)
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	for _, r := range group {
		if failed = readInsert(br, r); failed != nil {
			if formsvc.ErrorCode(unavailable(failed)) == formsvc.EUNAVAILABLE {
				return nil, failed // the transaction is lost, not this one submission
			}
			return failed, nil
		}
	}
	return nil, br.Close()
}

// insertEach inserts group's submissions one after another, each in a
// savepoint, and sets each one's outcome.
func (db *DB) insertEach(ctx context.Context, tx pgx.Tx, group []*subReq) error {
	for _, r := range group {
		sp, err := tx.Begin(ctx) // a savepoint
		if err != nil {
			return err
		}
		if r.id, err = nextID(ctx, sp, "submissions"); err != nil {
			sp.Rollback(ctx)
			return err
		}
		b := &pgx.Batch{}
		db.queueInsert(b, r)
		br := sp.SendBatch(ctx, b)
		r.res = readInsert(br, r)
		if err := br.Close(); err != nil && r.res == nil {
			r.res = err
		}
		if r.res != nil {
			if formsvc.ErrorCode(unavailable(r.res)) == formsvc.EUNAVAILABLE {
				return r.res // the transaction is lost, not this one submission
			}
			if err := sp.Rollback(ctx); err != nil {
				return err
			}
			continue
		}
		if err := sp.Commit(ctx); err != nil { // releases the savepoint
			return err
		}
	}
	return nil
}

// queueInsert queues r's statements: the record, sealed for r.id, its
// services and photos.
func (db *DB) queueInsert(b *pgx.Batch, r *subReq) {
	s := r.s
	sealed := seal.Seal(db.keys, r.content, seal.Content(r.id, s.Kind, r.receipt))
	b.Queue(qInsertSubmission, r.id, s.Kind, r.year, r.receipt, s.Status, s.Priority, r.category, s.CreatedAt.UTC(), sealed)
	for i, code := range s.Services {
		b.Queue(`INSERT INTO submission_services (submission_id, code, position) VALUES ($1, $2, $3)`, r.id, code, i)
	}
	for i, p := range s.Photos { // in order: a photo's id gives its position
		b.Queue(`INSERT INTO photos (submission_id, content_type, data) VALUES ($1, $2, $3)`, r.id, p.ContentType, r.photos[i])
	}
}

// readInsert reads the results of r's statements from br.
func readInsert(br pgx.BatchResults, r *subReq) error {
	err := br.QueryRow().Scan(&r.seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return formsvc.ErrReceiptTaken
	}
	if err != nil {
		return fmt.Errorf("insert submission: %w", err)
	}
	for range r.s.Services {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("insert service: %w", err)
		}
	}
	for range r.s.Photos {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("insert photo: %w", err)
		}
	}
	return nil
}
