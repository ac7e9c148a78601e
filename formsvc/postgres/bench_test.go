package postgres_test

import (
	"context"

	"github.com/jackc/pgx/v5"

	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// BenchmarkEachSubmission is the store's side of an export of 10,000
// records (formsvc/storetest; the same on SQLite).
func BenchmarkEachSubmission(b *testing.B) {
	db := open(b, pgtest.NewDatabase(b), storetest.Keys(b))
	storetest.Seed(b, db, 0, 10000)
	storetest.BenchmarkEachSubmission(b, db, 10000)
}

// BenchmarkCreateSubmission is the store's own ceiling for tips, without
// HTTP, at 1, 16 and 64 concurrent writers (formsvc/storetest; the same
// on SQLite), each level on a fresh database.
func BenchmarkCreateSubmission(b *testing.B) {
	storetest.BenchmarkCreateSubmission(b, func(b *testing.B) storetest.Store {
		return open(b, pgtest.NewDatabase(b), storetest.Keys(b))
	})
}

// BenchmarkReads: receipt lookup, inbox page, case by reference and a
// year's report facts over 10,000 tips (formsvc/storetest; the same on
// SQLite).
func BenchmarkReads(b *testing.B) {
	dsn := pgtest.NewDatabase(b)
	db := open(b, dsn, storetest.Keys(b))
	storetest.Seed(b, db, 0, 10000)
	// What autovacuum does within a minute of 10,000 inserts: the planner
	// sees the table as it is (SQLite's planner needs no statistics).
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkReads(b, db, 10000)
}
