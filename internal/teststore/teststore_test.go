package teststore_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }

// Each test's store starts empty, even where the database is one an
// earlier test gave back (PostgreSQL): no row left, ids and references
// counted from the start, no key recorded (another key opens it), the
// audit log empty.
func TestEachTestStartsEmpty(t *testing.T) {
	tables := []string{"submissions", "officers", "audit_log", "sessions", "alert_outbox", "key_check"}
	for round := range 3 {
		t.Run("round", func(t *testing.T) {
			keys := storetest.Keys(t)
			if round == 1 {
				var err error
				if keys, err = formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32)); err != nil {
					t.Fatal(err)
				}
			}
			db := teststore.Open(t, keys)
			ctx := context.Background()
			if n := db.Count(t, tables...); n != 1 { // the key check of this Open
				t.Errorf("round %d: %d rows at the start, want only the key check", round, n)
			}
			s := storetest.Tip("một")
			if err := db.CreateSubmission(ctx, s, storetest.Hash(1)); err != nil {
				t.Fatal(err)
			}
			o := &formsvc.Officer{Username: "congan", Role: formsvc.RolePolice}
			if err := db.CreateOfficer(ctx, o, "x"); err != nil {
				t.Fatal(err)
			}
			if s.ID != 1 || s.Ref != "TB-2026-0001" || o.ID != 1 {
				t.Errorf("round %d: submission %d %s, officer %d; want 1, TB-2026-0001, 1", round, s.ID, s.Ref, o.ID)
			}
			if err := db.Audit(ctx, formsvc.AuditEntry{At: time.Now(), Username: "congan", Action: formsvc.AuditLogin}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Time scans the time columns of either store.
func TestTimeColumn(t *testing.T) {
	db := teststore.Open(t, storetest.Keys(t))
	at := time.Date(2026, 11, 28, 3, 4, 5, 6e6, time.UTC)
	s := storetest.Tip("một")
	s.CreatedAt = at
	if err := db.CreateSubmission(context.Background(), s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(t, `SELECT created_at FROM submissions WHERE id = ?`, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got teststore.Time
	if !rows.Next() {
		t.Fatal("no row")
	}
	if err := rows.Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("created_at = %v, want %v", got.Time, at)
	}
}

// A database from NewDatabase is empty and opened by OpenAt, here twice as
// a program and the test would: what one handle writes the other reads.
func TestNewDatabaseOpenedAt(t *testing.T) {
	db := teststore.NewDatabase(t)
	if got := strings.HasPrefix(db, "postgres://"); got != teststore.IsPostgres() {
		t.Fatalf("NewDatabase on %s = %q", teststore.Name(), db)
	}
	keys := storetest.Keys(t)
	a := teststore.OpenAt(t, db, keys)
	if a.Name() != teststore.Name() {
		t.Errorf("OpenAt(%q) is %s, want %s", db, a.Name(), teststore.Name())
	}
	if n := a.Count(t, "submissions", "officers"); n != 0 {
		t.Errorf("%d rows in a new database", n)
	}
	s := storetest.Tip("một")
	if err := a.CreateSubmission(context.Background(), s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	b := teststore.OpenAt(t, db, keys)
	if n := b.Count(t, "submissions"); n != 1 {
		t.Errorf("the second handle counts %d submissions, want 1", n)
	}
}
