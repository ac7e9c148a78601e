package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
)

// The storage tests every store passes (formsvc/storetest).
func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, keys *formsvc.Keys) storetest.Store {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), keys)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		Exec: func(t *testing.T, s storetest.Store, q string, args ...any) error {
			return s.(*sqlite.DB).Exec(context.Background(), q, args...)
		},
		Count: func(t *testing.T, s storetest.Store, q string, args ...any) int {
			rows, err := s.(*sqlite.DB).Query(context.Background(), q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var n int
			if !rows.Next() {
				t.Fatalf("%s: no row", q)
			}
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		},
	})
}
