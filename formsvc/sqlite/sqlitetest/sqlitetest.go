// Package sqlitetest helps tests of the packages that use the SQLite
// store: a second process's lock on the file, and counting rows.
package sqlitetest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// HoldLock takes the write lock of the database file at path through a
// connection of its own, as another process would (a command-line purge,
// a backup tool), and returns the function that lets it go.
func HoldLock(t testing.TB, path string) (unlock func()) {
	t.Helper()
	ctx := context.Background()
	other, err := sql.Open("sqlite", sqlite.FileURI(path)+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
}

// Count is the number of rows in each table, added up.
func Count(t testing.TB, db *sqlite.DB, tables ...string) int {
	t.Helper()
	total := 0
	for _, table := range tables {
		rows, err := Query(t, db, "SELECT count(*) FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		rows.Next()
		err = rows.Scan(&n)
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

// Query runs a read query on the database's file through a connection of
// its own: the store has no query method for tests to reach into.
func Query(t testing.TB, db *sqlite.DB, q string, args ...any) (*sql.Rows, error) {
	t.Helper()
	conn, err := sql.Open("sqlite", sqlite.FileURI(db.Path)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn.QueryContext(context.Background(), q, args...)
}
