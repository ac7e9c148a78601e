package sqlite

import (
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

// place is where a sealed value lives (see seal.Place): the places and
// the additional data they make are shared with the PostgreSQL store.
type place = seal.Place

func (db *DB) seal(plain []byte, p place) []byte { return seal.Seal(db.keys, plain, p) }

// ErrUnreadable is in the chain of the error of a sealed value that does
// not open in its place: it was damaged, moved from another place, or
// sealed under another key (seal.ErrUnreadable, the same for both stores).
var ErrUnreadable = seal.ErrUnreadable

func (db *DB) open(sealed []byte, p place) ([]byte, error) { return seal.Open(db.keys, sealed, p) }

// nextID is the id the next row of table will get: the writer's
// transaction holds the write lock, so no one else inserts meanwhile, and
// the row is inserted with this id (a value is sealed for its place
// before it is stored).
func (w *wtx) nextID(table string) (int64, error) {
	var id int64
	q := qNextID[table]
	if q == "" {
		return 0, fmt.Errorf("next id: unknown table %s", table)
	}
	if err := w.QueryRow(q).Scan(&id); err != nil {
		return 0, fmt.Errorf("next id of %s: %w", table, err)
	}
	return id, nil
}

var qNextID = map[string]string{
	"submissions":      `SELECT COALESCE(MAX(id), 0) + 1 FROM submissions`,
	"messages":         `SELECT COALESCE(MAX(id), 0) + 1 FROM messages`,
	"notes":            `SELECT COALESCE(MAX(id), 0) + 1 FROM notes`,
	"status_history":   `SELECT COALESCE(MAX(id), 0) + 1 FROM status_history`,
	"priority_history": `SELECT COALESCE(MAX(id), 0) + 1 FROM priority_history`,
}
