package sqlite_test

import (
	"context"
	"database/sql/driver"
	"runtime"
	"sync"
	"testing"
	"time"

	sqlitelib "modernc.org/sqlite"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// gate stops a statement of the writer half way: a trigger calls
// test_gate(), which says so on entered and waits for proceed to close.
var gate struct {
	entered chan struct{}
	proceed chan struct{}
}

func init() {
	sqlitelib.MustRegisterScalarFunction("test_gate", 0, func(*sqlitelib.FunctionContext, []driver.Value) (driver.Value, error) {
		gate.entered <- struct{}{}
		<-gate.proceed
		return nil, nil
	})
}

// waitQueued waits until n writes wait behind a held writer.
func waitQueued(t *testing.T, db *sqlite.DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); db.Queued() != n; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", db.Queued(), n)
		}
	}
}

// TestCancelledWriteInAGroupUndoesNoOtherWrite puts every kind of write
// in one group commit and cancels the context of one of them (a note)
// while its statement runs. SQLite rolls a whole transaction back when a
// statement is interrupted, so a statement run with the caller's context
// lost every write of the group. Now the writer's statements never see a
// caller's context: every write, the cancelled one included (it was
// already queued, and the caller is told the truth), is stored.
func TestCancelledWriteInAGroupUndoesNoOtherWrite(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	rec := tip("hồ sơ có sẵn")
	if err := db.CreateSubmission(ctx, rec, hash(0)); err != nil {
		t.Fatal(err)
	}
	officer := &formsvc.Officer{Username: "canbo", Role: formsvc.RolePolice}
	if err := db.CreateOfficer(ctx, officer, "argon2id-hash"); err != nil {
		t.Fatal(err)
	}
	// The note's insert stops at the gate, then runs a loop, where an
	// interrupt would be seen.
	if err := db.Exec(ctx, `CREATE TEMP TRIGGER gate AFTER INSERT ON notes BEGIN
		SELECT test_gate();
		SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT i FROM n);
	END`); err != nil {
		t.Fatal(err)
	}
	gate.entered = make(chan struct{}, 1)
	gate.proceed = make(chan struct{})
	noteCtx, cancelNote := context.WithCancel(ctx)
	defer cancelNote()

	writes := []struct {
		name string
		do   func() error
	}{
		{"tip", func() error { return db.CreateSubmission(ctx, tip("tin một"), hash(1)) }},
		{"follow-up message", func() error {
			return db.AddMessage(ctx, rec, &formsvc.Message{Author: formsvc.AuthorReporter, Body: "Tôi bổ sung thông tin.", CreatedAt: now})
		}},
		{"status change", func() error {
			return db.ChangeStatus(ctx, rec, formsvc.StatusMove{To: "verifying", Note: "đang xác minh", OfficerID: officer.ID, At: now})
		}},
		{"note (cancelled)", func() error { return db.AddNote(noteCtx, rec, officer.ID, "ghi chú nội bộ", now) }},
		{"reply", func() error { return db.Reply(ctx, rec, officer.ID, "Chúng tôi đã nhận.", now) }},
		{"assignment", func() error { return db.Assign(ctx, rec, officer.ID, now) }},
		{"audit entry", func() error {
			return db.Audit(ctx, formsvc.AuditEntry{OfficerID: officer.ID, Username: "canbo", Action: formsvc.AuditView, Target: rec.Ref})
		}},
		{"new officer", func() error {
			return db.CreateOfficer(ctx, &formsvc.Officer{Username: "canbo2", Role: formsvc.RoleSocial}, "argon2id-hash")
		}},
		{"new password", func() error { return db.SetPassword(ctx, officer.ID, "argon2id-hash-2") }},
		{"another tip", func() error { return db.CreateSubmission(ctx, tip("tin hai"), hash(2)) }},
	}
	release, _ := db.HoldWriter(ctx)
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.do()
		}()
		waitQueued(t, db, i+1) // queued in this order, all in the next group
	}
	commits, _ := db.WriteStats()
	release()
	<-gate.entered
	cancelNote()
	close(gate.proceed)
	wg.Wait()

	for i, w := range writes {
		if errs[i] != nil {
			t.Errorf("%s: %v", w.name, errs[i])
		}
	}
	if after, _ := db.WriteStats(); after != commits+2 {
		t.Errorf("%d commits after the held write, want 2 (the held write, then one group)", after-commits)
	}
	checks := []struct{ what, q, want string }{
		{"tips", `SELECT count(*) FROM submissions`, "3"},
		{"messages (follow-up and reply)", `SELECT count(*) FROM messages`, "2"},
		{"status", `SELECT status || ' ' || (SELECT count(*) FROM status_history) FROM submissions WHERE id = ?`, "verifying 1"},
		{"notes", `SELECT count(*) FROM notes`, "1"},
		{"assignment", `SELECT assigned_to = ? FROM submissions WHERE id = ?`, "1"},
		{"audit entries", `SELECT count(*) FROM audit_log`, "1"},
		{"officers", `SELECT count(*) FROM officers`, "2"},
		{"new password", `SELECT password_hash || ' ' || credentials FROM officers WHERE id = ?`, "argon2id-hash-2 2"},
	}
	args := map[string][]any{"status": {rec.ID}, "assignment": {officer.ID, rec.ID}, "new password": {officer.ID}}
	for _, c := range checks {
		rows, err := db.Query(ctx, c.q, args[c.what]...)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		rows.Next()
		err = rows.Scan(&got)
		rows.Close()
		if err != nil || got != c.want {
			t.Errorf("%s: %q (%v), want %s", c.what, got, err, c.want)
		}
	}
}
