package teststore

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// A test's PostgreSQL database is one the process made before and a
// finished test gave back, emptied, or else a new copy of a template
// database that has the schema: making a database (and dropping it,
// which forces a checkpoint) costs far more than the test itself.
//
// Emptied is as new: every table but the schema's own (schema_migrations,
// and workflow_statuses, which the store brings in line with its spec at
// every Open) is truncated, identities restarted; the key check goes, so
// the next Open records its own key.

// kept are the tables that emptying a database leaves as they are.
var kept = map[string]bool{"schema_migrations": true, "workflow_statuses": true}

// The process's template database and its databases given back.
var (
	template struct {
		once sync.Once
		name string
		err  error
	}
	free struct {
		mu    sync.Mutex
		names []string
	}
	made atomic.Int64 // numbers the databases made
)

// admin is a connection to the cluster's maintenance database.
func admin(ctx context.Context, c *pgtest.Cluster) (*pgx.Conn, error) {
	return pgx.Connect(ctx, c.DSN("postgres"))
}

// createDatabase makes a new database on the package's cluster, a copy
// of the migrated template, and returns its name.
func createDatabase(t testing.TB, prefix string) (string, error) {
	t.Helper()
	c := pgtest.Shared(t)
	ctx := context.Background()
	template.once.Do(func() {
		template.name = fmt.Sprintf("template_%d", os.Getpid())
		dsn, err := c.CreateDatabase(ctx, template.name)
		if err != nil {
			template.err = err
			return
		}
		db, err := postgres.Open(ctx, dsn, nil)
		if err != nil {
			template.err = fmt.Errorf("migrate the template database: %w", err)
			return
		}
		db.Close()
	})
	if template.err != nil {
		return "", template.err
	}
	conn, err := admin(ctx, c)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("%s%d_%d", prefix, os.Getpid(), made.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+
		" TEMPLATE "+pgx.Identifier{template.name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

// newDatabase gives a test an empty database (one given back and emptied,
// or a new one) and returns its DSN; the test gives it back at its end.
func newDatabase(t testing.TB) string {
	t.Helper()
	c := pgtest.Shared(t)
	name := ""
	for name == "" {
		free.mu.Lock()
		if n := len(free.names); n > 0 {
			name = free.names[n-1]
			free.names = free.names[:n-1]
		}
		free.mu.Unlock()
		if name == "" {
			break
		}
		if err := empty(c.DSN(name)); err != nil {
			// A session a test left open holds it: leave it be.
			t.Logf("teststore: database %s not emptied, not used again: %v", name, err)
			name = ""
		}
	}
	if name == "" {
		var err error
		if name, err = createDatabase(t, "t"); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		free.mu.Lock()
		free.names = append(free.names, name)
		free.mu.Unlock()
	})
	return c.DSN(name)
}

// empty truncates every table of the database at dsn but the kept ones,
// triggers off (the audit log refuses TRUNCATE otherwise).
func empty(dsn string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	var tables []string
	for _, n := range names {
		if !kept[n] {
			tables = append(tables, pgx.Identifier{n}.Sanitize())
		}
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "TRUNCATE "+strings.Join(tables, ", ")+" RESTART IDENTITY")
		return err
	})
}
