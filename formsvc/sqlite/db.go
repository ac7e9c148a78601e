// Package sqlite stores the form service's data in one SQLite file through
// modernc.org/sqlite (pure Go). Writes go through one writer goroutine that
// commits concurrent requests together (group commit), each in its own
// savepoint, with synchronous=FULL: nothing is acknowledged before it is
// on disk, and one fsync serves many submissions.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/batch"
	sqlitelib "modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Pragmas set on every pooled connection. synchronous=FULL makes each
// commit durable before the answer leaves; secure_delete overwrites
// deleted content. Open puts the lock timeout (LockTimeout) in
// busy_timeout; Pragmas has the default.
const Pragmas = "_pragma=busy_timeout(5000)&" + pragmas

const pragmas = "_pragma=journal_mode(wal)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(full)&_pragma=secure_delete(on)&_txlock=immediate&_time_format=sqlite"

// FileURI is the "file:" name of the database file at path, with the
// characters that a URI would take for its query or fragment escaped
// (%, ? and #: a folder named "a#1" must not open "a"), ready for its
// "?"-parameters.
func FileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// DefaultLockTimeout is how long a write waits for a lock that another
// process holds on the database (a command-line purge, a backup tool)
// before it gives up with ErrBusy.
const DefaultLockTimeout = 5 * time.Second

// An Option changes how Open opens the database.
type Option func(*options)

type options struct {
	lockTimeout time.Duration
	spec        *formsvc.Spec
	now         func() time.Time
}

// Clock sets the store's clock (time.Now if not given): the time of what
// the store stamps itself (a write's moment, an audit entry given
// without one, the health of writes). Methods that take a time record
// an officer's or reporter's action at the time their caller gives.
func Clock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// Spec sets the forms and kinds the store works with (the binary's own,
// formsvc.DefaultSpec, if not given): reference prefixes and the workflow
// of each kind come from it.
func Spec(s *formsvc.Spec) Option {
	return func(o *options) { o.spec = s }
}

// LockTimeout sets how long a write waits for another process's lock on
// the database before it fails with ErrBusy (DefaultLockTimeout if not
// given; tests use a short one). It is rounded down to the millisecond.
func LockTimeout(d time.Duration) Option {
	return func(o *options) { o.lockTimeout = max(d, 0) }
}

// TimeFormat is the one format of stored times (UTC).
const TimeFormat = "2006-01-02T15:04:05.000Z"

// writerCacheKiB is the write connection's page cache: 16 MiB, the
// receipts' index of some 300,000 submissions.
const writerCacheKiB = 16 << 10

// maxBatch bounds how many writes share one commit.
const maxBatch = 512

//go:embed migrations/*.sql
var migrations embed.FS

// ErrClosed is returned for writes after Close.
var ErrClosed = errors.New("sqlite: database closed")

// ErrBusy is in the chain of a write's error when the database stayed
// locked by someone else for the whole lock timeout (SQLITE_BUSY or
// SQLITE_LOCKED): nothing was stored, and the same write may succeed a
// little later. The web layer answers it with 503.
var ErrBusy = &formsvc.Error{Code: formsvc.EUNAVAILABLE,
	Message: "Hệ thống đang bận nên chưa lưu được. Vui lòng gửi lại sau ít phút (nếu trang đã đổi, bấm Quay lại trên trình duyệt: nội dung bạn viết thường vẫn còn ở đó), hoặc gọi đường dây nóng nếu việc gấp."}

// DB is the SQLite store.
type DB struct {
	Path   string
	keys   *formsvc.Keys
	spec   *formsvc.Spec
	now    func() time.Time
	busyMS string // the lock timeout in milliseconds, as busy_timeout reads back

	read *sql.DB
	// wdb is the write connection (one). Only the writer goroutine
	// runs transactions on it; see SessionStore for the only other user.
	wdb *sql.DB

	mu       sync.RWMutex // guards closed and sends on reqs
	closed   bool
	reqs     chan *writeReq
	stopped  chan struct{}
	maxBatch atomic.Int32
	commits  atomic.Int64 // transactions committed by the writer
	writes   atomic.Int64 // writes in them
	// prepared holds the statements of the hot write path, prepared once
	// on the write connection; read-only after Open.
	prepared map[string]*sql.Stmt
	// sessions is the one session store, made on first use; its clean-up
	// goroutine stops in Close.
	sessionsOnce sync.Once
	sessions     *sqlite3store.SQLite3Store

	health health
}

type writeReq struct {
	fn func(*wtx) error
	// rerun: fn may run again after its transaction was rolled back (it
	// sets, never accumulates, what it reports outside the transaction).
	rerun bool
	// probe: an empty write that only checks that writes commit (see
	// WriteHealth); not counted in WriteStats.
	probe bool
	res   error
	err   chan error
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string, keys *formsvc.Keys, opts ...Option) (*DB, error) {
	o := options{lockTimeout: DefaultLockTimeout, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.spec == nil {
		var err error
		if o.spec, err = formsvc.DefaultSpec(); err != nil {
			return nil, err
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	if err := private(path); err != nil {
		return nil, err
	}
	busyMS := strconv.FormatInt(o.lockTimeout.Milliseconds(), 10)
	dsn := FileURI(path) + "?_pragma=busy_timeout(" + busyMS + ")&" + pragmas
	// The writer keeps more pages in memory than a reader: every
	// submission updates the receipts' index at a random place, and with
	// SQLite's default 2 MB cache a database past some 50,000 submissions
	// reads a page back for almost every insert (docs/BENCHMARKS.md).
	write, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-"+strconv.Itoa(writerCacheKiB)+")")
	if err != nil {
		return nil, fmt.Errorf("open db: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	db := &DB{Path: path, keys: keys, spec: o.spec, now: o.now, busyMS: busyMS, wdb: write,
		reqs: make(chan *writeReq, maxBatch), stopped: make(chan struct{})}
	db.health.ttl, db.health.wait = healthTTL, probeWait
	db.maxBatch.Store(maxBatch)
	if err := db.checkPragmas(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	if keys != nil {
		if err := db.verifyKey(ctx); err != nil {
			write.Close()
			return nil, err
		}
	}
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	if err := syncWorkflow(ctx, write, o.spec); err != nil {
		write.Close()
		return nil, err
	}
	if err := db.prepare(ctx); err != nil {
		write.Close()
		return nil, err
	}
	db.read, err = sql.Open("sqlite", dsn)
	if err == nil {
		db.read.SetMaxOpenConns(4)
		err = db.checkPragmas(ctx, db.read)
	}
	if err != nil {
		if db.read != nil {
			db.read.Close()
		}
		write.Close()
		return nil, fmt.Errorf("open db for reading: %w", err)
	}
	if keys != nil {
		if err := db.keyed(); err != nil {
			db.read.Close()
			for _, st := range db.prepared {
				st.Close()
			}
			write.Close()
			return nil, err
		}
	}
	go db.writer()
	return db, nil
}

// private makes the database file 0600 before SQLite opens it, whatever
// the umask: a new one is created so (SQLite would make it 0644 less the
// umask), and one from before loses any permission for group and others,
// as do its WAL and shared-memory files. SQLite creates those two with the
// database file's permissions, so they are 0600 from then on.
func private(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		err = f.Chmod(0o600) // the umask may have taken more
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("create database file: %w", err)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create database file: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&^0o077); err != nil {
				return fmt.Errorf("make %s readable by its owner only: %w", p, err)
			}
		}
	}
	return nil
}

// Statements of the group commit itself.
const (
	qSavepoint  = "SAVEPOINT w"
	qRollbackTo = "ROLLBACK TO w"
	qRelease    = "RELEASE w"
)

// hotStatements are prepared once on the write connection, not parsed
// again for every submission.
var hotStatements = []string{qSavepoint, qRollbackTo, qRelease, qInsertSubmission, qInsertService, qInsertPhoto,
	qNextID["submissions"]}

func (db *DB) prepare(ctx context.Context) error {
	db.prepared = make(map[string]*sql.Stmt, len(hotStatements))
	for _, q := range hotStatements {
		st, err := db.wdb.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		db.prepared[q] = st
	}
	return nil
}

// checkPragmas reads the settings back: a DSN typo must not silently
// leave the database without WAL or foreign keys.
func (db *DB) checkPragmas(ctx context.Context, conn *sql.DB) error {
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "secure_delete": "1",
		"busy_timeout": db.busyMS}
	for p, w := range want {
		var got string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
			return fmt.Errorf("read pragma %s: %w", p, err)
		}
		if got != w {
			return fmt.Errorf("pragma %s = %s, want %s", p, got, w)
		}
	}
	return nil
}

func migrate(ctx context.Context, conn *sql.DB) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	seen := map[int]string{}
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		// Two files with one number (branches merged) would leave the
		// second one never applied.
		if other, ok := seen[version]; ok {
			return fmt.Errorf("migrations %s and %s have the same number", other, base)
		}
		seen[version] = base
		if err := applyMigration(ctx, conn, name, version); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.DB, name string, version int) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		version, time.Now().UTC().Format(TimeFormat)); err != nil { // the real moment a migration ran
		return err
	}
	return tx.Commit()
}

// write runs fn in a write transaction and returns once that transaction
// is committed (or fn failed and its changes were rolled back). Concurrent
// calls share one commit; each runs in its own savepoint, so one failure
// does not undo the others.
//
// ctx bounds only the wait for a place in the writer's queue. fn gets a
// wtx, not the *sql.Tx: its statements run with the writer's context, so
// no caller's cancellation can interrupt a statement of the transaction
// that other requests share (SQLite would roll all of it back).
func (db *DB) write(ctx context.Context, fn func(*wtx) error) error {
	return db.enqueue(ctx, &writeReq{fn: fn, err: make(chan error, 1)})
}

// writeRerunnable is write for an fn that may run more than once: a
// group of such writes first runs without savepoints, and only if one of
// them fails is the group rolled back and run again the careful way.
func (db *DB) writeRerunnable(ctx context.Context, fn func(*wtx) error) error {
	return db.enqueue(ctx, &writeReq{fn: fn, rerun: true, err: make(chan error, 1)})
}

func (db *DB) enqueue(ctx context.Context, req *writeReq) error {
	if err := db.send(ctx, req); err != nil {
		return err
	}
	// Once queued the write may commit, so wait for its result even if the
	// caller gives up: the answer must not claim failure for stored data.
	return <-req.err
}

// send puts req in the writer's queue, waiting at most until ctx ends.
func (db *DB) send(ctx context.Context, req *writeReq) error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	select {
	case db.reqs <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeCtx is the context of every statement of the writer's
// transactions: it never ends, so a statement is never interrupted half
// way, and the driver needs no goroutine to watch it.
var writeCtx = context.Background()

// wtx is a write transaction as a write function sees it. Its methods
// take no context (they run with writeCtx), and Now is the writer's
// clock for the group.
type wtx struct {
	tx  *sql.Tx
	db  *DB
	now time.Time
}

// Exec runs a statement; one of hotStatements runs prepared.
func (w *wtx) Exec(q string, args ...any) (sql.Result, error) {
	if st, ok := w.db.prepared[q]; ok {
		return w.tx.StmtContext(writeCtx, st).ExecContext(writeCtx, args...)
	}
	return w.tx.ExecContext(writeCtx, q, args...)
}

// Query runs a statement that returns rows (close them before the next
// statement).
func (w *wtx) Query(q string, args ...any) (*sql.Rows, error) {
	return w.tx.QueryContext(writeCtx, q, args...)
}

// QueryRow runs a statement that returns at most one row; one of
// hotStatements runs prepared.
func (w *wtx) QueryRow(q string, args ...any) *sql.Row {
	if st, ok := w.db.prepared[q]; ok {
		return w.tx.StmtContext(writeCtx, st).QueryRowContext(writeCtx, args...)
	}
	return w.tx.QueryRowContext(writeCtx, q, args...)
}

// Now is the time the writer took for this transaction: every write of
// a group that records "now" records the same instant.
func (w *wtx) Now() time.Time { return w.now }

// timestamp is Now in the stored format.
func (w *wtx) timestamp() string { return w.now.UTC().Format(TimeFormat) }

// SetMaxBatch sets how many writes may share one commit (at most 512, the
// default). 1 gives every write its own transaction and fsync: the naive
// way, kept for the benchmark that measures what group commit gains
// (bench/load). Durability is the same either way.
func (db *DB) SetMaxBatch(n int) {
	db.maxBatch.Store(int32(max(1, min(n, maxBatch))))
}

func (db *DB) writer() {
	defer close(db.stopped)
	for req := range db.reqs {
		db.commit(batch.Gather(db.reqs, req, int(db.maxBatch.Load())))
	}
}

// WriteStats reports how many transactions the writer has committed and
// how many writes they held: writes/commits is the mean group size.
func (db *DB) WriteStats() (commits, writes int64) {
	return db.commits.Load(), db.writes.Load()
}

// commit runs a group of writes in one transaction. A write alone, or a
// group of writes that may all run again, runs without savepoints: a
// savepoint and its release would be two more statements per write. When
// one of them fails, the transaction is rolled back: alone, that is the
// write's own rollback; in a group, the group runs again with a savepoint
// each.
func (db *DB) commit(batch []*writeReq) {
	fast := len(batch) == 1 || !slices.ContainsFunc(batch, func(r *writeReq) bool { return !r.rerun })
	failed, err := db.run(batch, !fast)
	if failed && len(batch) > 1 {
		_, err = db.run(batch, true)
	}
	err = busy(err)
	db.health.record(db.now(), err)
	for _, r := range batch {
		if err != nil {
			r.err <- err
		} else {
			r.err <- busy(r.res)
		}
	}
}

// busy puts ErrBusy in the chain of err when SQLite reports a lock held
// by someone else (SQLITE_BUSY, SQLITE_LOCKED and their extended codes),
// keeping the driver's error for the log.
func busy(err error) error {
	var se *sqlitelib.Error
	if !errors.As(err, &se) || errors.Is(err, ErrBusy) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return err
}

// run runs batch in one transaction, each write in a savepoint if asked.
// Without savepoints, the first write that fails rolls the transaction
// back and run reports failed; err is the transaction's own error.
func (db *DB) run(batch []*writeReq, savepoints bool) (failed bool, err error) {
	tx, err := db.wdb.BeginTx(writeCtx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	w := &wtx{tx: tx, db: db, now: db.now()}
	writes := int64(0)
	for _, r := range batch {
		if !r.probe {
			writes++
		}
		if !savepoints {
			if r.res = r.fn(w); r.res != nil {
				return true, tx.Rollback()
			}
			continue
		}
		if _, err := w.Exec(qSavepoint); err != nil {
			return false, fmt.Errorf("savepoint: %w", err)
		}
		if r.res = r.fn(w); r.res != nil {
			if _, err := w.Exec(qRollbackTo); err != nil {
				return false, fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
		if _, err := w.Exec(qRelease); err != nil {
			return false, fmt.Errorf("release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	db.commits.Add(1)
	db.writes.Add(writes)
	return false, nil
}

// Ping checks that the database answers a query and that writes commit
// (WriteHealth).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return db.WriteHealth(ctx)
}

// Close finishes the queued writes, then closes the database.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	close(db.reqs)
	db.mu.Unlock()
	<-db.stopped
	db.sessionsOnce.Do(func() {}) // a store made meanwhile is seen below
	if db.sessions != nil {
		db.sessions.StopCleanup()
	}
	var errs []error
	for _, st := range db.prepared {
		errs = append(errs, st.Close())
	}
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.wdb.Close())
	return errors.Join(errs...)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// SessionStore is the officers' session store (alexedwards/scs's SQLite
// store) in this database, keeping each session under its token's
// SHA-256 (hashedTokens). It runs its statements on the write
// connection, outside the writer's queue, and that is safe: the pool has
// one connection, which database/sql keeps for a transaction until it
// ends, so a session statement runs between two of the writer's
// transactions, never inside one; and the store passes no context (its
// Find, Commit and Delete use context.Background), so no request's
// cancellation can interrupt it. A lock held by another process makes it
// wait like the writer, up to the lock timeout.
//
// Every call returns the same store: one clean-up goroutine, stopped by
// Close.
func (db *DB) SessionStore() scs.Store {
	db.sessionsOnce.Do(func() { db.sessions = sqlite3store.NewWithCleanupInterval(db.wdb, 10*time.Minute) })
	return hashedTokens{store: db.sessions}
}

// SharedState is nil: one instance runs on an SQLite file, and keeps its
// rate counts and spent tokens in its own memory (see formsvc/shared.go).
func (db *DB) SharedState() formsvc.SharedState { return nil }
