// Package teststore opens the store that a package's tests run on:
// formsvc/sqlite on a temporary file (the default) or formsvc/postgres on
// an empty database of the throwaway cluster of internal/pgtest
// (see postgres.go), as the environment variable FORMSVC_TEST_STORE says
// ("sqlite" or "postgres"). Tests written on it pass the same assertions
// on both.
//
// Besides the store, it gives the few things a test does outside the
// store, on either: count rows, run a read query or a statement as
// someone with access to the database could, open a second handle on the
// same database (a restart, a second instance), and make the database
// unable to take writes for a while (another session holds a lock).
//
// A test that runs a program on the store (the formsvc binary, in e2e)
// gives it the database of NewDatabase, a file or a DSN, and opens the
// same database with OpenAt.
//
// A package that uses it calls Main from its TestMain.
package teststore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of database/sql
	_ "modernc.org/sqlite"             // the "sqlite" driver of database/sql

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite/sqlitetest"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// EnvVar names the store the tests run on.
const EnvVar = "FORMSVC_TEST_STORE"

// The stores.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Name is the store the tests run on: the value of EnvVar, SQLite if it
// is unset or empty. Open and NewDatabase fail the test on any other
// value.
func Name() string {
	if v := os.Getenv(EnvVar); v != "" {
		return v
	}
	return SQLite
}

// IsPostgres reports whether the tests run on PostgreSQL.
func IsPostgres() bool { return Name() == Postgres }

// Main runs a test package's tests (call it from TestMain, as
// os.Exit(teststore.Main(m))): on PostgreSQL the package's cluster is
// started on first use and stopped at the end (pgtest.Main).
func Main(m *testing.M) int { return pgtest.Main(m) }

// SkipOnSQLite skips a test that is about several instances on one
// database, which PostgreSQL serves and SQLite does not, saying why.
func SkipOnSQLite(t testing.TB, why string) {
	t.Helper()
	if !IsPostgres() {
		t.Skip("not on SQLite: " + why)
	}
}

// Store is what the tests use of a store: every domain service, the
// session store, the state instances share (nil on SQLite), Ping and
// Close.
type Store interface {
	storetest.Store
	SharedState() formsvc.SharedState
	Close() error
}

var (
	_ Store = (*sqlite.DB)(nil)
	_ Store = (*postgres.DB)(nil)
)

// An Option changes how Open opens the store.
type Option func(*options)

type options struct {
	spec        *formsvc.Spec
	lockTimeout time.Duration
}

// Spec sets the store's forms and kinds (sqlite.Spec, postgres.Spec).
func Spec(s *formsvc.Spec) Option { return func(o *options) { o.spec = s } }

// LockTimeout sets how long a write waits for a lock another session
// holds (see HoldLock) before it fails with EUNAVAILABLE: SQLite's lock
// timeout, PostgreSQL's lock_timeout on each of the store's sessions.
func LockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// DB is an open store and the database under it.
type DB struct {
	Store
	name string
	path string // SQLite: the database file
	dsn  string // PostgreSQL: the database
}

// Open opens a fresh, empty store with keys, closed at the test's end.
func Open(t testing.TB, keys *formsvc.Keys, opts ...Option) *DB {
	t.Helper()
	return OpenAt(t, NewDatabase(t), keys, opts...)
}

// NewDatabase gives a test a fresh, empty database without opening it,
// for a program the test runs to open (formsvc's --db): on SQLite the
// path of a file in the test's temporary folder, made by whoever opens it
// first; on PostgreSQL the DSN of a database of the package's cluster,
// given back at the test's end, after the cleanups registered later
// (stopping that program) have run. OpenAt opens it.
func NewDatabase(t testing.TB) string {
	t.Helper()
	switch name := Name(); name {
	case SQLite:
		return filepath.Join(t.TempDir(), "formsvc.db")
	case Postgres:
		return newDatabase(t)
	default:
		t.Fatalf("%s=%q: want %q or %q", EnvVar, name, SQLite, Postgres)
		return ""
	}
}

// OpenAt opens the store at db, a database from NewDatabase (a SQLite
// file, or a postgres:// DSN), with keys; it is closed at the test's end.
func OpenAt(t testing.TB, db string, keys *formsvc.Keys, opts ...Option) *DB {
	t.Helper()
	d := &DB{name: SQLite, path: db}
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		d = &DB{name: Postgres, dsn: db}
	}
	s, err := d.open(keys, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d.Store = s
	return d
}

// OpenForProcess opens a fresh, empty store that lives as long as the
// test process (a fuzz target's one server): close is for TestMain. On
// PostgreSQL the database is on the package's cluster, which Main stops.
func OpenForProcess(t testing.TB, keys *formsvc.Keys, opts ...Option) (db *DB, close func(), err error) {
	t.Helper()
	db = &DB{name: Name()}
	var dir string
	switch db.name {
	case SQLite:
		if dir, err = os.MkdirTemp("", "formsvc-test-*"); err != nil {
			return nil, nil, err
		}
		db.path = filepath.Join(dir, "formsvc.db")
	case Postgres:
		name, err := createDatabase(t, "p")
		if err != nil {
			return nil, nil, err
		}
		db.dsn = pgtest.Shared(t).DSN(name)
	default:
		return nil, nil, fmt.Errorf("%s=%q: want %q or %q", EnvVar, db.name, SQLite, Postgres)
	}
	s, err := db.open(keys, opts...)
	if err != nil {
		if dir != "" {
			os.RemoveAll(dir)
		}
		return nil, nil, err
	}
	db.Store = s
	return db, func() {
		s.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}, nil
}

func (db *DB) open(keys *formsvc.Keys, opts ...Option) (Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ctx := context.Background()
	if db.name == SQLite {
		var so []sqlite.Option
		if o.spec != nil {
			so = append(so, sqlite.Spec(o.spec))
		}
		if o.lockTimeout > 0 {
			so = append(so, sqlite.LockTimeout(o.lockTimeout))
		}
		return sqlite.Open(ctx, db.path, keys, so...)
	}
	var po []postgres.Option
	if o.spec != nil {
		po = append(po, postgres.Spec(o.spec))
	}
	dsn := db.dsn
	if o.lockTimeout > 0 {
		// A run-time parameter in the DSN: set on each session at its start.
		dsn += "&lock_timeout=" + strconv.FormatInt(o.lockTimeout.Milliseconds(), 10)
	}
	return postgres.Open(ctx, dsn, keys, po...)
}

// Name is the store this DB is: SQLite or Postgres.
func (db *DB) Name() string { return db.name }

// Reopen opens another handle on the same database (a restarted service,
// a second instance), closed at the test's end. Its error is Open's,
// for tests of what Open refuses.
func (db *DB) Reopen(t testing.TB, keys *formsvc.Keys, opts ...Option) (*DB, error) {
	t.Helper()
	other := &DB{name: db.name, path: db.path, dsn: db.dsn}
	s, err := other.open(keys, opts...)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { s.Close() })
	other.Store = s
	return other, nil
}

// sqlDB is a database/sql handle of the test's own on the database,
// closed at the test's end; readOnly for SQLite opens the file read-only.
func (db *DB) sqlDB(t testing.TB, readOnly bool) *sql.DB {
	t.Helper()
	var conn *sql.DB
	var err error
	if db.name == SQLite {
		mode := ""
		if readOnly {
			mode = "mode=ro&"
		}
		conn, err = sql.Open("sqlite", sqlite.FileURI(db.path)+"?"+mode+"_pragma=busy_timeout(5000)")
	} else {
		conn, err = sql.Open("pgx", db.dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Query runs a read query on the database through a connection of its
// own (the store has no query method for tests to reach into); ? marks a
// parameter. A time column scans into a Time on both stores.
func (db *DB) Query(t testing.TB, q string, args ...any) (*sql.Rows, error) {
	t.Helper()
	return db.sqlDB(t, true).QueryContext(context.Background(), db.placeholders(q), args...)
}

// Exec runs one statement on the database outside the store, as someone
// with write access to it could; ? marks a parameter.
func (db *DB) Exec(t testing.TB, q string, args ...any) error {
	t.Helper()
	_, err := db.sqlDB(t, false).ExecContext(context.Background(), db.placeholders(q), args...)
	return err
}

// Count is the number of rows in each table, added up.
func (db *DB) Count(t testing.TB, tables ...string) int {
	t.Helper()
	conn := db.sqlDB(t, true)
	total := 0
	for _, table := range tables {
		var n int
		if err := conn.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

// placeholders numbers the ? of a query as $1, $2… for PostgreSQL.
func (db *DB) placeholders(q string) string {
	if db.name == SQLite {
		return q
	}
	return pgtest.Dollars(q)
}

// HoldLock makes the database unable to take new records, as another
// process or session would, and returns the function that lets it go.
// SQLite: the file's write lock, taken through a connection of its own
// (a command-line purge, a backup tool). PostgreSQL: a session that holds
// the submissions table in EXCLUSIVE mode (reads go on, writes wait), as
// an operator's maintenance could. A store opened with LockTimeout gives
// up waiting after it.
func (db *DB) HoldLock(t testing.TB) (unlock func()) {
	t.Helper()
	if db.name == SQLite {
		return sqlitetest.HoldLock(t, db.path)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE submissions IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
	}
}

// Time scans a time column of either store: SQLite keeps times as text
// in sqlite.TimeFormat, PostgreSQL as timestamptz.
type Time struct{ time.Time }

// Scan implements sql.Scanner.
func (tm *Time) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		tm.Time = v.UTC()
	case string:
		p, err := time.Parse(sqlite.TimeFormat, v)
		if err != nil {
			return err
		}
		tm.Time = p
	case []byte:
		return tm.Scan(string(v))
	case nil:
		tm.Time = time.Time{}
	default:
		return fmt.Errorf("teststore: cannot scan %T into a Time", v)
	}
	return nil
}

// Files closes the store and returns what the database keeps on disk,
// for tests that search it for what must never be stored: "database" (the
// database's own files) and "wal" (the write-ahead log as it was before
// the close). SQLite: the file and its WAL. PostgreSQL: after a
// checkpoint, the database's folder and the cluster's pg_wal.
func (db *DB) Files(t testing.TB) map[string][]byte {
	t.Helper()
	if db.name == SQLite {
		wal, err := os.ReadFile(db.path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(db.path)
		if err != nil {
			t.Fatal(err)
		}
		return map[string][]byte{"database": b, "wal": wal}
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var oid uint32
	if err := conn.QueryRow(ctx, "SELECT oid FROM pg_database WHERE datname = current_database()").Scan(&oid); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(pgtest.Shared(t).Dir, "data")
	return map[string][]byte{
		"database": readAll(t, filepath.Join(data, "base", strconv.FormatUint(uint64(oid), 10))),
		"wal":      readAll(t, filepath.Join(data, "pg_wal")),
	}
}

// readAll is the files of a folder (not its subfolders), one after another.
func readAll(t testing.TB, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// BusyMessage is the message of the store's error for a write or health
// check that cannot go through now (sqlite.ErrBusy,
// postgres.ErrUnavailable).
func BusyMessage() string {
	if IsPostgres() {
		return postgres.ErrUnavailable.Message
	}
	return sqlite.ErrBusy.Message
}

// Int runs a query of one integer (count(*)) on the database through a
// connection of its own; ? marks a parameter.
func (db *DB) Int(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.sqlDB(t, true).QueryRowContext(context.Background(), db.placeholders(q), args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
