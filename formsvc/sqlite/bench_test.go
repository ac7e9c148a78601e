package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
)

// BenchmarkCreateSubmission is the store's own ceiling for tips, without
// HTTP, at 1, 16 and 64 concurrent writers (formsvc/storetest; the same
// on PostgreSQL).
func BenchmarkCreateSubmission(b *testing.B) {
	storetest.BenchmarkCreateSubmission(b, func(b *testing.B) storetest.Store { return openDB(b) })
}

// BenchmarkWriteHealth is what a health check costs: answered from the
// writer's last outcome (cached, the case under traffic and for every
// check within a second of the last), or by a probe through an idle
// writer (BEGIN IMMEDIATE and an empty COMMIT).
func BenchmarkWriteHealth(b *testing.B) {
	for _, c := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", time.Hour}, {"probe", 0}} {
		b.Run(c.name, func(b *testing.B) {
			db := openDB(b)
			db.SetHealth(c.ttl, 10*time.Second)
			ctx := context.Background()
			for b.Loop() {
				if err := db.WriteHealth(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEachSubmission is the store's side of an export of 10,000
// records (formsvc/storetest; the same on PostgreSQL).
func BenchmarkEachSubmission(b *testing.B) {
	db := openDB(b)
	storetest.Seed(b, db, 0, 10000)
	storetest.BenchmarkEachSubmission(b, db, 10000)
}

// BenchmarkReads: receipt lookup, inbox page, case by reference and a
// year's report facts over 10,000 tips (formsvc/storetest; the same on
// PostgreSQL).
func BenchmarkReads(b *testing.B) {
	db := openDB(b)
	storetest.Seed(b, db, 0, 10000)
	storetest.BenchmarkReads(b, db, 10000)
}
