package move_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/demo"
	"github.com/hoaphong/phongchongmaidam/formsvc/move"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// A commune's database, with every kind of row the demo makes (records,
// photos, messages, notes, status and priority history, referrals and
// outcomes, officers, the audit log) and alert settings and an outbox
// row, moves to PostgreSQL: every receipt opens its record there with the
// same key, counts and checksums match, a second run copies nothing and
// still checks, and references go on after the highest one.
func TestMoveFromSQLiteToPostgreSQL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(dir, "key"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "formsvc.db")
	lite, err := sqlite.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	res, err := demo.Fill(ctx, lite, demo.Options{Tips: 40, Support: 20, Months: 3, Until: time.Date(2026, 11, 30, 12, 0, 0, 0, formsvc.Vietnam),
		Seed: 7, Password: "mat-khau-du-dai-de-thu-2026", Spec: spec, ReceiptKey: keys.Receipt})
	if err != nil {
		t.Fatal(err)
	}
	officers, err := lite.Officers(ctx)
	if err != nil || len(officers) == 0 {
		t.Fatalf("officers: %v %v", officers, err)
	}
	if err := lite.SetAlertEmail(ctx, officers[0].ID, "canbo@example.org"); err != nil {
		t.Fatal(err)
	}
	before, err := lite.StatusCounts(ctx, spec.KindList())
	if err != nil {
		t.Fatal(err)
	}
	_, audits, err := lite.AuditLog(ctx, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	lite.Close()

	dsn := pgtest.NewDatabase(t)
	pg, err := postgres.Open(ctx, dsn, keys) // makes the schema and records the key
	if err != nil {
		t.Fatal(err)
	}
	pg.Close()
	src, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	first, err := move.Copy(ctx, src, pool)
	if err != nil {
		t.Fatal(err)
	}
	copied := map[string]move.Table{}
	for _, tb := range first {
		copied[tb.Name] = tb
		if tb.Source != tb.Target || tb.Copied != tb.Source {
			t.Errorf("%s: %d in SQLite, %d copied, %d in PostgreSQL", tb.Name, tb.Source, tb.Copied, tb.Target)
		}
	}
	for _, name := range []string{"submissions", "photos", "messages", "notes", "status_history", "referrals", "officers", "audit_log", "officer_alerts"} {
		if copied[name].Source == 0 {
			t.Errorf("the test database has no %s rows: the move is not tested on them", name)
		}
	}
	again, err := move.Copy(ctx, src, pool)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	for _, tb := range again {
		if tb.Copied != 0 || tb.Checksum != copied[tb.Name].Checksum {
			t.Errorf("second run, %s: copied %d, checksum changed=%v", tb.Name, tb.Copied, tb.Checksum != copied[tb.Name].Checksum)
		}
	}
	if s := move.Summary(again); !strings.Contains(s, "submissions") {
		t.Errorf("summary: %s", s)
	}
	// A copy that differs from the source by one byte is caught.
	if _, err := pool.Exec(ctx, `UPDATE notes SET body = body || '\x00'::bytea WHERE id = (SELECT min(id) FROM notes)`); err != nil {
		t.Fatal(err)
	}
	if err := move.Verify(ctx, src, pool, again); err == nil || !strings.Contains(err.Error(), "notes") {
		t.Errorf("a changed note: Verify = %v", err)
	}
	if _, err := pool.Exec(ctx, `UPDATE notes SET body = substring(body from 1 for length(body) - 1) WHERE id = (SELECT min(id) FROM notes)`); err != nil {
		t.Fatal(err)
	}

	pg, err = postgres.Open(ctx, dsn, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	hasher := formsvc.NewReceiptHasher(keys.Receipt)
	if len(res.Receipts) == 0 {
		t.Fatal("the demo gave no receipts to try")
	}
	for _, rr := range res.Receipts {
		r, _ := formsvc.ParseReceipt(rr[1])
		s, err := pg.SubmissionByReceipt(ctx, hasher.Hash(r))
		if err != nil || s.Ref != rr[0] || s.Content.Text == nil {
			t.Errorf("receipt of %s on PostgreSQL: %v %v", rr[0], s, err)
		}
		if msgs, err := pg.Messages(ctx, s); err != nil || len(msgs) == 0 {
			t.Errorf("messages of %s: %v %v", rr[0], msgs, err)
		}
	}
	after, err := pg.StatusCounts(ctx, spec.KindList())
	if err != nil {
		t.Fatal(err)
	}
	for k, m := range before {
		for st, n := range m {
			if after[k][st] != n {
				t.Errorf("%s %s: %d before, %d after", k, st, n, after[k][st])
			}
		}
	}
	if _, n, err := pg.AuditLog(ctx, 0, 1); err != nil || n != audits {
		t.Errorf("audit log: %d entries after, %d before (%v)", n, audits, err)
	}
	o, _, err := pg.OfficerByUsername(ctx, officers[0].Username)
	if err != nil || o.ID != officers[0].ID {
		t.Errorf("officer %s after the move: %v %v", officers[0].Username, o, err)
	}
	next := &formsvc.Submission{Kind: formsvc.KindTip, Status: formsvc.StatusReceived, Priority: formsvc.PriorityNormal,
		Category: "karaoke", CreatedAt: time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC),
		Content: formsvc.Content{Text: map[string]string{"category": "karaoke", "location": "x", "description": "sau khi chuyển"}}}
	if err := pg.CreateSubmission(ctx, next, []byte("a-new-receipt-hash-after-the-move")); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.CaseByRef(ctx, next.Ref, spec.KindList()); err != nil {
		t.Fatal(err)
	}
	for _, rr := range res.Receipts {
		if rr[0] == next.Ref {
			t.Errorf("a new record after the move took %s again", next.Ref)
		}
	}
}
