package postgres_test

import (
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/internal/pgtest"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
)

// BenchmarkEachSubmission is the store's side of an export of 10,000
// records (formsvc/storetest; the same on SQLite).
func BenchmarkEachSubmission(b *testing.B) {
	db := open(b, pgtest.NewDatabase(b), storetest.Keys(b))
	storetest.Seed(b, db, 0, 10000)
	storetest.BenchmarkEachSubmission(b, db, 10000)
}
