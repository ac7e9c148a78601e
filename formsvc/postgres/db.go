// Package postgres stores the form service's data in PostgreSQL through
// jackc/pgx (a connection pool), for several service instances on one
// database. It keeps SQLite's guarantees: a write returns only once its
// transaction is committed and flushed (fsync on, synchronous_commit not
// off, both checked at Open); content is sealed with the same places as
// in formsvc/sqlite (formsvc/internal/seal), under the key file kept
// outside the database; the database refuses a status outside its kind's
// workflow and any change to the audit log.
//
// So far it implements the public intake path (formsvc.SubmissionService
// and formsvc.FollowUpService), officers and their second factor
// (formsvc.OfficerService), the audit log (formsvc.AuditService), the
// officers' sessions (SessionStore), casework (formsvc.CaseService),
// counting facts (formsvc.FactsService) and the alerts' store
// (formsvc.AlertService, safe for a dispatcher in each instance: see
// alert.go), and the retention purge (PurgeClosed, one at a time across
// instances). Backup is PostgreSQL's own (pg_dump; README).
package postgres

import (
	"context"
	"crypto/hmac"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the key of the session advisory lock (its two-int
// form: "form", 1) held while an instance migrates the schema, syncs the
// workflow and records the key: instances that start together take turns.
const migrationLock = `SELECT pg_advisory_lock(1718579821, 1)`
const migrationUnlock = `SELECT pg_advisory_unlock(1718579821, 1)`

// DefaultWriteTimeout bounds a write's transaction once it has a
// connection (see Open's WriteTimeout).
const DefaultWriteTimeout = 10 * time.Second

// ErrUnavailable is in the chain of a write's or health check's error
// when the database cannot be reached or cannot take writes now (down,
// restarting, a read-only standby, out of connections): the write may or
// may not have been stored (its commit may have been lost on the way
// back), so the answer is 503, never 201. The web layer answers it so.
var ErrUnavailable = &formsvc.Error{Code: formsvc.EUNAVAILABLE,
	Message: "Hệ thống đang bận nên chưa lưu được. Vui lòng gửi lại sau ít phút (nếu trang đã đổi, bấm Quay lại trên trình duyệt: nội dung bạn viết thường vẫn còn ở đó), hoặc gọi đường dây nóng nếu việc gấp."}

// ErrWrongKey is returned by Open when the database belongs to another
// key file. Nothing was changed.
var ErrWrongKey = errors.New("postgres: the key does not belong to this database")

// ErrUnreadable is seal.ErrUnreadable: a sealed value that does not open
// in its place (damaged, moved, or under another key).
var ErrUnreadable = seal.ErrUnreadable

// An Option changes how Open opens the database.
type Option func(*options)

type options struct {
	spec         *formsvc.Spec
	now          func() time.Time
	writeTimeout time.Duration
	maxConns     int32
}

// Clock sets the store's clock (time.Now if not given): the time of what
// the store stamps itself.
func Clock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Spec sets the forms and kinds the store works with (formsvc.DefaultSpec
// if not given): reference prefixes and each kind's workflow.
func Spec(s *formsvc.Spec) Option { return func(o *options) { o.spec = s } }

// WriteTimeout bounds a write's transaction once it has a connection
// (DefaultWriteTimeout if not given). The caller's context bounds only
// the wait for a connection: a request that goes away mid-write does not
// cancel a transaction that may be committing. A write past the timeout
// fails with ErrUnavailable.
func WriteTimeout(d time.Duration) Option { return func(o *options) { o.writeTimeout = d } }

// MaxConns sets the pool's size (pgxpool's default if not given).
func MaxConns(n int32) Option { return func(o *options) { o.maxConns = n } }

// DB is the PostgreSQL store.
type DB struct {
	pool         *pgxpool.Pool
	keys         *formsvc.Keys
	spec         *formsvc.Spec
	now          func() time.Time
	writeTimeout time.Duration
	healthyAt    atomic.Int64 // UnixNano of the last write probe that committed
	closed       atomic.Bool  // Close has been called: Ping fails at once

	// sessions is the one session store, made on first use; its clean-up
	// goroutine stops in Close.
	sessionsOnce sync.Once
	sessions     *sessionStore
	// sharedSweep deletes expired shared state, from the first
	// SharedState call until Close.
	sharedOnce  sync.Once
	sharedSweep *sweep

	// sub stores new submissions in groups (group.go).
	sub *submitter
}

// Open connects to the database at dsn (postgres://… or key=value
// settings), checks that commits are durable, and under an advisory lock
// migrates the schema, brings the workflow in line with the spec and
// checks (or records, in a new database) the key's check value.
func Open(ctx context.Context, dsn string, keys *formsvc.Keys, opts ...Option) (*DB, error) {
	o := options{now: time.Now, writeTimeout: DefaultWriteTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.spec == nil {
		var err error
		if o.spec, err = formsvc.DefaultSpec(); err != nil {
			return nil, err
		}
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if o.maxConns > 0 {
		cfg.MaxConns = o.maxConns
	}
	// Every time the store writes or reads is a UTC instant.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool, keys: keys, spec: o.spec, now: o.now, writeTimeout: o.writeTimeout}
	if err := db.setUp(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	db.startSubmitter(maxGroup)
	return db, nil
}

// setUp runs on one connection holding the migration lock.
func (db *DB) setUp(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", unavailable(err))
	}
	defer conn.Release()
	if err := checkDurable(ctx, conn.Conn()); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, migrationLock); err != nil {
		return fmt.Errorf("postgres: take the migration lock: %w", err)
	}
	err = db.setUpLocked(ctx, conn.Conn())
	if _, uerr := conn.Exec(context.WithoutCancel(ctx), migrationUnlock); uerr != nil && err == nil {
		// A lock left held would stop every other instance's start.
		conn.Conn().Close(ctx)
		err = fmt.Errorf("postgres: release the migration lock: %w", uerr)
	}
	return err
}

func (db *DB) setUpLocked(ctx context.Context, conn *pgx.Conn) error {
	if db.keys != nil {
		if err := db.verifyKey(ctx, conn); err != nil {
			return err
		}
	}
	if err := migrate(ctx, conn); err != nil {
		return err
	}
	if err := syncWorkflow(ctx, conn, db.spec); err != nil {
		return err
	}
	if db.keys != nil {
		return db.recordKey(ctx, conn)
	}
	return nil
}

// checkDurable refuses a server that could acknowledge a commit before
// it is on disk.
func checkDurable(ctx context.Context, conn *pgx.Conn) error {
	var fsync, syncCommit string
	if err := conn.QueryRow(ctx, `SELECT current_setting('fsync'), current_setting('synchronous_commit')`).
		Scan(&fsync, &syncCommit); err != nil {
		return fmt.Errorf("postgres: read settings: %w", err)
	}
	if fsync != "on" {
		return fmt.Errorf("postgres: fsync = %s, want on: a commit would not survive a crash", fsync)
	}
	if syncCommit == "off" {
		return errors.New("postgres: synchronous_commit = off, want on (or local, remote_write, remote_apply): a commit would be acknowledged before it is on disk")
	}
	return nil
}

func migrate(ctx context.Context, conn *pgx.Conn) error {
	// Looked up before it is made: the service's own role (see
	// GrantService) may not create tables, and needs not when the schema
	// is current.
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("look up schema_migrations: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (
			version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", ownerNeeded(err))
		}
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if other, ok := seen[version]; ok {
			return fmt.Errorf("migrations %s and %s have the same number", other, base)
		}
		seen[version] = base
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&done); err != nil || done {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, version)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, ownerNeeded(err))
		}
	}
	return nil
}

// ErrOwnerNeeded is in the chain of Open's error when the schema must
// change and the role connected may not change it: the service runs as a
// role of its own (GrantService), and the migrations as the owner.
var ErrOwnerNeeded = errors.New("the schema must be migrated by the tables' owner: run `formsvc grant` with the owner's DSN")

func ownerNeeded(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" { // insufficient privilege
		return fmt.Errorf("%w: %w", ErrOwnerNeeded, err)
	}
	return err
}

// syncWorkflow brings workflow_statuses in line with the spec's kinds, as
// formsvc/sqlite does: new statuses are added, changed ones updated,
// removed ones deleted unless a record is still in one (then Open fails
// and says which).
func syncWorkflow(ctx context.Context, conn *pgx.Conn, spec *formsvc.Spec) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, d := range spec.Kinds {
			for _, st := range d.Statuses {
				if _, err := tx.Exec(ctx, `INSERT INTO workflow_statuses (kind, status, open) VALUES ($1, $2, $3)
					ON CONFLICT (kind, status) DO UPDATE SET open = excluded.open WHERE workflow_statuses.open <> excluded.open`,
					string(d.Kind), string(st.Code), st.Open); err != nil {
					return fmt.Errorf("workflow: %w", err)
				}
			}
		}
		rows, err := tx.Query(ctx, `SELECT w.kind, w.status,
			(SELECT count(*) FROM submissions s WHERE s.kind = w.kind AND s.status = w.status)
			FROM workflow_statuses w ORDER BY w.kind, w.status`)
		if err != nil {
			return fmt.Errorf("workflow: %w", err)
		}
		stored, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (formsvc.StoredStatus, error) {
			var st formsvc.StoredStatus
			err := r.Scan(&st.Kind, &st.Status, &st.Records)
			return st, err
		})
		if err != nil {
			return fmt.Errorf("workflow: %w", err)
		}
		gone, err := spec.Retired(stored)
		if err != nil {
			return err
		}
		for _, g := range gone {
			if _, err := tx.Exec(ctx, `DELETE FROM workflow_statuses WHERE kind = $1 AND status = $2`, string(g.Kind), string(g.Status)); err != nil {
				return fmt.Errorf("workflow: %w", err)
			}
		}
		return nil
	})
}

// verifyKey refuses a key that is not the database's before any
// migration runs: by the check value, if the database has one.
func (db *DB) verifyKey(ctx context.Context, conn *pgx.Conn) error {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('key_check') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("read key check: %w", err)
	}
	if !exists {
		return nil
	}
	var check []byte
	err := conn.QueryRow(ctx, `SELECT value FROM key_check WHERE id = 1`).Scan(&check)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read key check: %w", err)
	}
	if !hmac.Equal(check, db.keys.Check()) {
		return fmt.Errorf("%w: its check value differs", ErrWrongKey)
	}
	return nil
}

// recordKey stores the key's check value in a database that has none.
// If it holds records already (copied from elsewhere without the check
// value), the key must open the first of them.
func (db *DB) recordKey(ctx context.Context, conn *pgx.Conn) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var has bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM key_check)`).Scan(&has); err != nil || has {
			return err
		}
		var id int64
		var kind formsvc.Kind
		var receipt, content []byte
		err := tx.QueryRow(ctx, `SELECT id, kind, receipt_hash, content FROM submissions ORDER BY id LIMIT 1`).
			Scan(&id, &kind, &receipt, &content)
		switch {
		case err == nil:
			if _, err := seal.Open(db.keys, content, seal.Content(id, kind, receipt)); err != nil {
				return fmt.Errorf("%w: the first record does not open with it", ErrWrongKey)
			}
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("key check: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO key_check (id, value, created_at) VALUES (1, $1, $2)`,
			db.keys.Check(), db.now().UTC()); err != nil {
			return fmt.Errorf("store key check: %w", err)
		}
		return nil
	})
}

// write runs fn in a transaction and returns once it is committed, or
// rolled back. ctx bounds only the wait for a connection; the
// transaction runs under the write timeout (see WriteTimeout). Errors
// that say the database cannot take the write now carry ErrUnavailable.
func (db *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
		}
		return unavailable(err)
	}
	defer conn.Release()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), db.writeTimeout)
	defer cancel()
	return unavailable(pgx.BeginFunc(wctx, conn, fn))
}

// unavailable puts ErrUnavailable in the chain of err when it says the
// database cannot take the work now, rather than that the work is wrong:
// no connection, a connection lost (a commit's outcome unknown), the
// server shutting down or starting, a read-only standby, out of
// resources, a timeout, a conflict worth trying again.
func unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || errors.Is(err, formsvc.ErrReceiptTaken) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),       // insufficient resources
			strings.HasPrefix(pe.Code, "57"),       // operator intervention: shutdown, cannot connect now, cancelled
			pe.Code == "40001", pe.Code == "40P01", // serialization failure, deadlock
			pe.Code == "55P03", // lock not available
			pe.Code == "25006": // read-only transaction: a standby
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) ||
		pgconn.SafeToRetry(err) || isConnLost(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// isConnLost reports an error of a connection that is gone or broke
// under a statement: pgx reports it without a server error code.
func isConnLost(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}

// healthTTL is how long a write probe that committed stands for the
// health of writes.
const healthTTL = time.Second

// Ping checks that the database answers and that a transaction commits
// (a write: it takes a transaction id, whose commit is flushed), so a
// read-only standby or a full disk reports ErrUnavailable; and that a
// new record could be written now: it takes the lock an INSERT takes on
// submissions, so a session that holds the table (an ALTER TABLE, a
// VACUUM FULL, a LOCK TABLE) past the session's lock_timeout, or the
// probe's second, reports ErrUnavailable too, as SQLite's write lock
// does. A probe that committed stands for a second, so health checks
// cannot load the database.
func (db *DB) Ping(ctx context.Context) error {
	if db.closed.Load() {
		return errClosed
	}
	if t := db.healthyAt.Load(); t != 0 && time.Since(time.Unix(0, t)) < healthTTL {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, healthTTL)
	defer cancel()
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE submissions IN ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`)
		return err
	})
	if err != nil {
		if formsvc.ErrorCode(unavailable(err)) == formsvc.EUNAVAILABLE {
			return unavailable(err)
		}
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	db.healthyAt.Store(time.Now().UnixNano())
	return nil
}

// Close stops the session store's clean-up and closes the pool; it waits
// for connections in use to be returned. Ping fails from then on, even
// within a second of a good probe.
func (db *DB) Close() error {
	db.closed.Store(true)
	db.sessionsOnce.Do(func() {}) // a store made meanwhile is seen below
	if db.sessions != nil {
		db.sessions.sweep.close()
	}
	db.sharedOnce.Do(func() {})
	db.sharedSweep.close()
	db.stopSubmitter()
	db.pool.Close()
	return nil
}

// ref formats the reference of a record of kind k.
func (db *DB) ref(k formsvc.Kind, year, seq int) string {
	if d := db.spec.Kind(k); d != nil {
		return d.Ref(year, seq)
	}
	return fmt.Sprintf("%s-%d-%04d", k, year, seq)
}
