package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	sqlitelib "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite/sqlitetest"
)

// openShort opens a database whose writes wait for another process's
// lock only briefly.
func openShort(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), testKeys(t),
		sqlite.LockTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestWriteUnderAnotherProcesssLockIsBusy: while another connection holds
// the write lock, a write waits the lock timeout and fails with ErrBusy
// (code EUNAVAILABLE, a Vietnamese message), SQLite's own error kept in
// the chain; nothing is stored, and once the lock goes writes work again.
func TestWriteUnderAnotherProcesssLockIsBusy(t *testing.T) {
	db := openShort(t)
	ctx := context.Background()
	rec := tip("có sẵn")
	if err := db.CreateSubmission(ctx, rec, hash(0)); err != nil {
		t.Fatal(err)
	}
	unlock := sqlitetest.HoldLock(t, db.Path)
	writes := map[string]func() error{
		"tip": func() error { return db.CreateSubmission(ctx, tip("trong lúc khóa"), hash(1)) },
		"follow-up message": func() error {
			return db.AddMessage(ctx, rec, &formsvc.Message{Author: formsvc.AuthorReporter, Body: "bổ sung", CreatedAt: rec.CreatedAt})
		},
		"audit entry": func() error { return db.Audit(ctx, formsvc.AuditEntry{Username: "canbo", Action: formsvc.AuditView}) },
	}
	for name, write := range writes {
		err := write()
		if !errors.Is(err, sqlite.ErrBusy) || formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
			t.Errorf("%s while locked: error = %v, want ErrBusy (EUNAVAILABLE)", name, err)
		}
		if msg := formsvc.ErrorMessage(err); msg != sqlite.ErrBusy.Message {
			t.Errorf("%s while locked: message = %q", name, msg)
		}
		var se *sqlitelib.Error
		if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
			t.Errorf("%s while locked: SQLite's error is not in the chain: %v", name, err)
		}
	}
	if n := sqlitetest.Count(t, db, "submissions", "messages", "audit_log"); n != 1 {
		t.Errorf("%d rows stored, want only the one from before the lock", n)
	}
	unlock()
	if err := db.CreateSubmission(ctx, tip("sau khi mở khóa"), hash(1)); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

// TestWriteHealthSeesALockAndItsEnd: with no writes to judge by, every
// check probes through the writer (time to live 0 here): a held lock makes
// writes unhealthy, its end healthy again.
func TestWriteHealthSeesALockAndItsEnd(t *testing.T) {
	db := openShort(t)
	db.SetHealth(0, 10*time.Second)
	ctx := context.Background()
	if err := db.WriteHealth(ctx); err != nil {
		t.Fatalf("fresh database: %v", err)
	}
	unlock := sqlitetest.HoldLock(t, db.Path)
	err := db.WriteHealth(ctx)
	if !errors.Is(err, sqlite.ErrBusy) || formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
		t.Errorf("while locked: %v, want ErrBusy", err)
	}
	if err := db.Ping(ctx); formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
		t.Errorf("Ping while locked: %v, want EUNAVAILABLE", err)
	}
	unlock()
	if err := db.WriteHealth(ctx); err != nil {
		t.Errorf("after the lock: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after the lock: %v", err)
	}
	if p := db.Probes(); p != 5 {
		t.Errorf("%d probes, want 5 (one per check)", p)
	}
	if commits, writes := db.WriteStats(); commits != 3 || writes != 0 {
		t.Errorf("WriteStats = %d commits, %d writes; want 3 (the probes that found no lock) and 0 (probes are not writes)", commits, writes)
	}
}

// TestWriteHealthIsCachedAndCannotLoadTheWriter: a check answers from the
// writer's last outcome while it stands (an hour here), so a thousand
// checks send one probe, and a write's outcome counts like a probe's:
// a failure caught by a tip is reported, and so is the next success.
func TestWriteHealthIsCachedAndCannotLoadTheWriter(t *testing.T) {
	db := openShort(t)
	db.SetHealth(time.Hour, 10*time.Second)
	ctx := context.Background()
	for range 1000 {
		if err := db.WriteHealth(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if p := db.Probes(); p != 1 {
		t.Errorf("1000 checks sent %d probes, want 1", p)
	}
	unlock := sqlitetest.HoldLock(t, db.Path)
	if err := db.WriteHealth(ctx); err != nil {
		t.Errorf("cached outcome: %v, want the probe's success", err)
	}
	if err := db.CreateSubmission(ctx, tip("trong lúc khóa"), hash(1)); !errors.Is(err, sqlite.ErrBusy) {
		t.Fatalf("tip while locked: %v, want ErrBusy", err)
	}
	if err := db.WriteHealth(ctx); !errors.Is(err, sqlite.ErrBusy) {
		t.Errorf("after the tip failed: %v, want ErrBusy", err)
	}
	unlock()
	if err := db.CreateSubmission(ctx, tip("sau khi mở khóa"), hash(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteHealth(ctx); err != nil {
		t.Errorf("after the tip was stored: %v", err)
	}
	if p := db.Probes(); p != 1 {
		t.Errorf("%d probes, want still 1", p)
	}
}

// TestWriteHealthWaitsForOneProbeAtATime: while the writer is held, a
// check gives up waiting for its probe and says writes are stuck; the
// next check waits for the same probe rather than queue another.
func TestWriteHealthWaitsForOneProbeAtATime(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	release, done := db.HoldWriter(ctx)
	db.SetHealth(0, 10*time.Millisecond)
	for i := range 3 {
		if err := db.WriteHealth(ctx); formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
			t.Errorf("check %d with the writer held: %v, want EUNAVAILABLE", i, err)
		}
	}
	if p, q := db.Probes(), db.Queued(); p != 1 || q != 1 {
		t.Errorf("%d probes sent, %d writes queued; want 1 and 1", p, q)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	db.SetHealth(0, 10*time.Second)
	if err := db.WriteHealth(ctx); err != nil {
		t.Errorf("after the writer went on: %v", err)
	}
}
