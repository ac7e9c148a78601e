package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite/sqlitetest"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func open(t testing.TB, dsn string, keys *formsvc.Keys) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// conn is a connection of the test's own to the database at dsn.
func conn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// Instances that start at once on a new database take turns under the
// advisory lock: each opens, and the schema is made once.
func TestInstancesStartingTogetherMigrateOnce(t *testing.T) {
	ctx := context.Background()
	const rounds, instances = 8, 4
	for round := range rounds {
		dsn := pgtest.NewDatabase(t)
		var wg sync.WaitGroup
		errs := make([]error, instances)
		dbs := make([]*postgres.DB, instances)
		start := make(chan struct{})
		for i := range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				dbs[i], errs[i] = postgres.Open(ctx, dsn, storetest.Keys(t))
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, instance %d: %v", round, i, err)
			}
		}
		// Each instance works: their submissions share one numbering.
		for i, db := range dbs {
			s := storetest.Tip(fmt.Sprintf("phiên bản %d", i))
			if err := db.CreateSubmission(ctx, s, storetest.Hash(round*10+i)); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("TB-2026-%04d", i+1); s.Ref != want {
				t.Errorf("round %d, instance %d: Ref = %s, want %s", round, i, s.Ref, want)
			}
			db.Close()
		}
		var migrations, checks, statuses int
		if err := conn(t, dsn).QueryRow(ctx, `SELECT (SELECT count(*) FROM schema_migrations), (SELECT count(*) FROM key_check),
			(SELECT count(*) FROM workflow_statuses)`).Scan(&migrations, &checks, &statuses); err != nil {
			t.Fatal(err)
		}
		if migrations != 3 || checks != 1 || statuses != 12 {
			t.Errorf("round %d: %d migrations, %d key checks, %d statuses; want 3 (0009-0011), 1, 12", round, migrations, checks, statuses)
		}
	}
}

// Two instances on one database behave as one store: a tip sent through
// one is followed up through the other, and their references never
// collide.
func TestTwoInstancesAreOneStore(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := open(t, dsn, storetest.Keys(t)), open(t, dsn, storetest.Keys(t))
	s := storetest.Tip("gửi qua a")
	if err := a.CreateSubmission(ctx, s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	found, err := b.SubmissionByReceipt(ctx, storetest.Hash(1))
	if err != nil || found.Content.Text["description"] != "gửi qua a" {
		t.Fatalf("through b: %+v, %v", found, err)
	}
	if err := b.AddMessage(ctx, found, &formsvc.Message{Author: "reporter", Body: "thêm qua b", CreatedAt: s.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	if msgs, err := a.Messages(ctx, s); err != nil || len(msgs) != 1 || msgs[0].Body != "thêm qua b" {
		t.Errorf("through a: %+v, %v", msgs, err)
	}
	const n = 100
	var wg sync.WaitGroup
	refs := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := a
			if i%2 == 1 {
				db = b
			}
			s := storetest.Tip(fmt.Sprint(i))
			if err := db.CreateSubmission(ctx, s, storetest.Hash(100+i)); err != nil {
				t.Error(err)
			}
			refs[i] = s.Ref
		}()
	}
	wg.Wait()
	sort.Strings(refs)
	for i, r := range refs {
		if want := fmt.Sprintf("TB-2026-%04d", i+2); r != want {
			t.Fatalf("references %v…: want TB-2026-0002 to TB-2026-%04d, each once", refs[:min(len(refs), 5)], n+1)
		}
	}
}

// The audit log is append-only by the database itself: UPDATE, DELETE
// and TRUNCATE are refused.
func TestAuditLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	open(t, dsn, storetest.Keys(t))
	c := conn(t, dsn)
	if _, err := c.Exec(ctx, `INSERT INTO audit_log (at, username, action, target) VALUES (now(), 'congan', 'login', ''), (now(), 'congan', 'view', 'TB-2026-0001')`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_log SET username = 'ai-khac'`, `DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE id = 1`, `TRUNCATE audit_log`} {
		if _, err := c.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error = %v, want the trigger's refusal", q, err)
		}
	}
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE username = 'congan'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("log after the attempts: %d rows, %v", n, err)
	}
}

// The database refuses a status outside its kind's workflow, as SQLite's
// triggers do; a new status in the spec is accepted after Open.
func TestWorkflowIsEnforcedByTheDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	s := storetest.Tip("x")
	if err := db.CreateSubmission(ctx, s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	c := conn(t, dsn)
	for _, q := range []string{
		`UPDATE submissions SET status = 'completed' WHERE id = $1`, // a support request's status
		`UPDATE submissions SET status = 'bogus' WHERE id = $1`,
		`UPDATE submissions SET kind = 'support', status = 'verifying' WHERE id = $1`,
	} {
		if _, err := c.Exec(ctx, q, s.ID); err == nil || !strings.Contains(err.Error(), "workflow") {
			t.Errorf("%s: error = %v, want the workflow's refusal", q, err)
		}
	}
	bad := storetest.Tip("y")
	bad.Status = "completed"
	if err := db.CreateSubmission(ctx, bad, storetest.Hash(2)); err == nil {
		t.Error("a tip stored with a support request's status")
	}
	if _, err := c.Exec(ctx, `UPDATE submissions SET status = 'verifying' WHERE id = $1`, s.ID); err != nil {
		t.Errorf("a tip's own status refused: %v", err)
	}
	var open bool
	if err := c.QueryRow(ctx, `SELECT open FROM workflow_statuses WHERE kind = 'tip' AND status = 'closed'`).Scan(&open); err != nil || open {
		t.Errorf("tip closed: open = %v, %v; want false", open, err)
	}
}

// A database opened with one key refuses another: nothing is changed.
func TestDatabaseRecognisesItsKey(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	db.Close()
	other, err := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if db, err := postgres.Open(ctx, dsn, other); !errors.Is(err, postgres.ErrWrongKey) {
		if db != nil {
			db.Close()
		}
		t.Errorf("another key: error = %v, want ErrWrongKey", err)
	}
	open(t, dsn, storetest.Keys(t)) // its own still opens
}

// A database that would acknowledge commits before they are on disk is
// refused.
func TestRefusesCommitsThatAreNotDurable(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	name := dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
	if _, err := conn(t, dsn).Exec(ctx, `ALTER DATABASE `+pgx.Identifier{name}.Sanitize()+` SET synchronous_commit = off`); err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, dsn, storetest.Keys(t))
	if err == nil {
		db.Close()
		t.Fatal("opened with synchronous_commit = off")
	}
	if !strings.Contains(err.Error(), "synchronous_commit") {
		t.Errorf("error = %v, want it to name synchronous_commit", err)
	}
}

// What a person wrote is nowhere in the cluster's files in clear, not
// even in the write-ahead log; the counting fields are.
func TestContentAndPhotosAreSealedAtRest(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	const marker = "MARKER-noi-dung-bi-mat-7731"
	s := storetest.Tip(marker)
	s.Category = "massage"
	s.Photos = []formsvc.Photo{{ContentType: "image/png", Data: []byte("PHOTO-MARKER-5512")}}
	if err := db.CreateSubmission(ctx, s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMessage(ctx, s, &formsvc.Message{Author: "reporter", Body: "MESSAGE-MARKER-9090", CreatedAt: s.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	c := conn(t, dsn)
	if _, err := c.Exec(ctx, `CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	var dbDir string
	if err := c.QueryRow(ctx, `SELECT 'base/' || oid FROM pg_database WHERE datname = current_database()`).Scan(&dbDir); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(pgtest.Shared(t).Dir, "data")
	found := map[string]bool{}
	for _, sub := range []string{dbDir, "pg_wal"} {
		err := filepath.WalkDir(filepath.Join(data, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range []string{marker, "PHOTO-MARKER-5512", "MESSAGE-MARKER-9090", "Thôn 3", "massage"} {
				if bytes.Contains(b, []byte(m)) {
					found[m] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{marker, "PHOTO-MARKER-5512", "MESSAGE-MARKER-9090", "Thôn 3"} {
		if found[m] {
			t.Errorf("the cluster's files hold %q in clear", m)
		}
	}
	if !found["massage"] {
		t.Errorf("the category, a counting field, should be found in clear (else the search saw nothing)")
	}
}

// The PostgreSQL schema has every table and column of SQLite's, and
// nothing else but what the migration names as this store's own.
func TestSchemaMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"), storetest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	rows, err := sqlitetest.Query(t, lite, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		want[table+"."+column] = true
	}
	rows.Close()
	dsn := pgtest.NewDatabase(t)
	open(t, dsn, storetest.Keys(t))
	prows, err := conn(t, dsn).Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(prows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{"ref_counters.kind": true, "ref_counters.ref_year": true, "ref_counters.last_seq": true,
		"submission_services.position": true,
		// What instances share (0010): one instance on SQLite keeps it in memory.
		"rate_counts.key": true, "rate_counts.win": true, "rate_counts.n": true, "rate_counts.expires": true,
		"spent_tokens.hash": true, "spent_tokens.expires": true}
	have := map[string]bool{}
	for _, c := range got {
		have[c] = true
		if !want[c] && !own[c] {
			t.Errorf("PostgreSQL has %s, SQLite does not", c)
		}
	}
	for c := range want {
		if !have[c] {
			t.Errorf("SQLite has %s, PostgreSQL does not", c)
		}
	}
}

// With the server gone, writes and health checks fail as unavailable
// (503), never as stored.
func TestServerGoneIsUnavailable(t *testing.T) {
	ctx := context.Background()
	c, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	dsn, err := c.CreateDatabase(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, dsn, storetest.Keys(t), postgres.WriteTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := storetest.Tip("trước")
	if err := db.CreateSubmission(ctx, s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSubmission(ctx, storetest.Tip("sau"), storetest.Hash(2)); formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
		t.Errorf("CreateSubmission with the server gone: error = %v, want EUNAVAILABLE", err)
	}
	if err := db.AddMessage(ctx, s, &formsvc.Message{Author: "reporter", Body: "x", CreatedAt: s.CreatedAt}); formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
		t.Errorf("AddMessage with the server gone: error = %v, want EUNAVAILABLE", err)
	}
	time.Sleep(1100 * time.Millisecond) // past the last good probe
	if err := db.Ping(ctx); formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
		t.Errorf("Ping with the server gone: error = %v, want EUNAVAILABLE", err)
	}
}

// Submissions that wait together share one transaction (one lock of the
// reference counter, one fsync); a receipt already taken among them fails
// alone, and the others' references have no gap.
func TestGroupCommitDuplicateFailsAlone(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	// Hold the lock every new submission takes (shared) before its id,
	// so that the first group waits and the next ones queue behind it.
	hold, err := conn(t, dsn).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT pg_advisory_xact_lock(1718579821, 2)`); err != nil {
		t.Fatal(err)
	}
	const n = 20
	refs := make([]string, n+1)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	create := func(i int, hash []byte) {
		defer wg.Done()
		s := storetest.Tip(fmt.Sprintf("tin %d", i))
		errs[i] = db.CreateSubmission(ctx, s, hash)
		refs[i] = s.Ref
	}
	wg.Add(1)
	go create(0, storetest.Hash(0))
	watch := conn(t, dsn)
	deadline := time.Now().Add(time.Minute) // a bound on liveness, not a speed check
	for db.Queued() != 0 || !waiting(t, watch) {
		if time.Now().After(deadline) {
			t.Fatal("the first submission did not reach the lock within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := 1; i <= n; i++ {
		hash := storetest.Hash(i)
		if i == 7 {
			hash = storetest.Hash(3) // the receipt of submission 3
		}
		wg.Add(1)
		go create(i, hash)
	}
	for db.Queued() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d submissions queued within a minute", db.Queued(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	commits0, _ := db.GroupStats()
	if err := hold.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n + 1 {
		switch {
		case i == 3 || i == 7:
			// One of the two with the same receipt lands; the other is told.
		case errs[i] != nil:
			t.Errorf("submission %d: %v", i, errs[i])
		}
		if errs[i] == nil {
			seen[refs[i]] = true
		}
	}
	if taken := errors.Is(errs[3], formsvc.ErrReceiptTaken) != errors.Is(errs[7], formsvc.ErrReceiptTaken); !taken || (errs[3] != nil && errs[7] != nil) {
		t.Errorf("same receipt twice: errors %v and %v, want one ErrReceiptTaken and one stored", errs[3], errs[7])
	}
	for i := 1; i <= n; i++ { // n stored: 21 sent, one refused
		if ref := fmt.Sprintf("TB-2026-%04d", i); !seen[ref] {
			t.Errorf("reference %s missing: references should be 1 to %d (got %v)", ref, n, seen)
		}
	}
	commits, stored := db.GroupStats()
	if commits-commits0 != 2 || stored != n {
		t.Errorf("%d transactions after the lock for %d stored, want 2 (the first alone, then the %d queued together) for %d",
			commits-commits0, stored, n, n)
	}
}

// waiting reports whether a session of c's database waits for an
// advisory lock.
func waiting(t *testing.T, c *pgx.Conn) bool {
	t.Helper()
	var n int
	if err := c.QueryRow(context.Background(), `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// While another session holds the submissions table so that no record
// can be written (an operator's ALTER TABLE or LOCK TABLE), Ping reports
// the store unavailable, as SQLite's does while its write lock is held
// elsewhere; reads go on. Once the lock goes, Ping is ok again.
func TestPingWhileTheTableIsLocked(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	other := conn(t, dsn)
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE submissions IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
		t.Errorf("Ping while the table is locked: error = %v, want EUNAVAILABLE", err)
	}
	if _, err := db.SubmissionByReceipt(ctx, storetest.Hash(1)); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("a read while the table is locked: error = %v, want ENOTFOUND", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after the lock: %v", err)
	}
}

// A store that is closed is not healthy: Ping says so at once, even
// within the second that a good probe stands for.
func TestPingAfterClose(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.NewDatabase(t), storetest.Keys(t))
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Ping(ctx); formsvc.ErrorCode(err) != formsvc.EUNAVAILABLE {
		t.Errorf("Ping after Close: error = %v, want EUNAVAILABLE", err)
	}
}
