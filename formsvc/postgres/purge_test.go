package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// As sqlite's TestPurgeDeletesOnlyOldClosedRecords: only records closed
// before the cutoff go, with what hangs on them.
func TestPurgeDeletesOnlyOldClosedRecords(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	c := conn(t, dsn)
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	recs := []struct {
		name     string
		status   string
		closedAt time.Time
		gone     bool
	}{
		{"closed long ago", "closed", now.AddDate(-2, 0, 0), true},
		{"closed recently", "closed", now.AddDate(0, -1, 0), false},
		{"open and old", "verifying", time.Time{}, false},
	}
	for i, r := range recs {
		s := storetest.Tip(r.name)
		s.CreatedAt = now.AddDate(-3, 0, 0)
		s.Photos = []formsvc.Photo{{ContentType: "image/jpeg", Data: []byte("x")}}
		if err := db.CreateSubmission(ctx, s, storetest.Hash(i)); err != nil {
			t.Fatal(err)
		}
		if err := db.AddMessage(ctx, s, &formsvc.Message{Author: formsvc.AuthorReporter, Body: "b", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		var closed any
		if !r.closedAt.IsZero() {
			closed = r.closedAt
		}
		if _, err := c.Exec(ctx, `UPDATE submissions SET status = $1, closed_at = $2 WHERE id = $3`, r.status, closed, s.ID); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.PurgeClosed(ctx, now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("purged %d, want 1", n)
	}
	for i, r := range recs {
		_, err := db.SubmissionByReceipt(ctx, storetest.Hash(i))
		if gone := formsvc.ErrorCode(err) == formsvc.ENOTFOUND; gone != r.gone {
			t.Errorf("%s: gone = %v, want %v (%v)", r.name, gone, r.gone, err)
		}
	}
	var photos, msgs int
	if err := c.QueryRow(ctx, `SELECT (SELECT count(*) FROM photos), (SELECT count(*) FROM messages)`).Scan(&photos, &msgs); err != nil {
		t.Fatal(err)
	}
	if photos != 2 || msgs != 2 {
		t.Errorf("photos, messages left = %d, %d; want 2, 2 (the purged record's went with it)", photos, msgs)
	}
}

// Of two purges at once (two instances, or cron beside an operator), one
// deletes and the other does nothing and says so; once the first is done
// a purge runs again.
func TestPurgeRunsOnceAtATime(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := open(t, dsn, storetest.Keys(t)), open(t, dsn, storetest.Keys(t))
	s := storetest.Tip("old")
	if err := a.CreateSubmission(ctx, s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	c := conn(t, dsn)
	if _, err := c.Exec(ctx, `UPDATE submissions SET status = 'closed', closed_at = $1 WHERE id = $2`,
		time.Now().AddDate(-3, 0, 0), s.ID); err != nil {
		t.Fatal(err)
	}
	// A purge under way elsewhere: its transaction holds the lock.
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(1718579821, 2)`); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*postgres.DB{a, b} {
		n, err := db.PurgeClosed(ctx, time.Now())
		if !errors.Is(err, postgres.ErrPurgeRunning) || n != 0 {
			t.Errorf("purge beside another: %d, %v; want 0, ErrPurgeRunning", n, err)
		}
	}
	if _, err := a.SubmissionByReceipt(ctx, storetest.Hash(1)); err != nil {
		t.Fatalf("a purge that did not run deleted: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := b.PurgeClosed(ctx, time.Now()); err != nil || n != 1 {
		t.Errorf("purge once the other ended: %d, %v; want 1", n, err)
	}
	// Run together, the purges delete the record once between them.
	errs := make(chan error, 2)
	total := make(chan int64, 2)
	s2 := storetest.Tip("old 2")
	if err := a.CreateSubmission(ctx, s2, storetest.Hash(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `UPDATE submissions SET status = 'closed', closed_at = $1 WHERE id = $2`,
		time.Now().AddDate(-3, 0, 0), s2.ID); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*postgres.DB{a, b} {
		go func() {
			n, err := db.PurgeClosed(ctx, time.Now())
			if errors.Is(err, postgres.ErrPurgeRunning) {
				err = nil
			}
			errs <- err
			total <- n
		}()
	}
	var sum int64
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		sum += <-total
	}
	if sum != 1 {
		t.Errorf("two purges together deleted %d records, want 1", sum)
	}
}
