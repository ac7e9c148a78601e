package teststore

import (
	"context"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
)

// On PostgreSQL a test takes the database an earlier test gave back
// (emptied: see TestEachTestStartsEmpty) rather than making a new one.
func TestDatabasesAreUsedAgain(t *testing.T) {
	if !IsPostgres() {
		t.Skip("SQLite: each test has a file of its own in its temporary folder")
	}
	var dsns []string
	before := made.Load()
	for range 3 {
		t.Run("test", func(t *testing.T) {
			db := Open(t, storetest.Keys(t))
			if err := db.CreateSubmission(context.Background(), storetest.Tip("một"), storetest.Hash(1)); err != nil {
				t.Fatal(err)
			}
			dsns = append(dsns, db.dsn)
		})
	}
	if made.Load()-before > 1 || dsns[1] != dsns[0] || dsns[2] != dsns[0] {
		t.Errorf("%d databases made for 3 tests one after another (%q), want one at most, used again", made.Load()-before, dsns)
	}
}
