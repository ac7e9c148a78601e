package sqlite

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// A place is where a sealed value lives: its table and column, its row,
// and for what belongs to a record (the record itself, its photos,
// messages, notes and status notes) that record's id or receipt, and its
// kind. It is the additional data of the value's AEAD, so a sealed value
// opens only in its own place: copied or moved to another row, column or
// record, or left in a record whose kind was changed, it does not open. A
// record's content is bound to its id and its receipt's hash, so that
// swapping two records' receipts does not show one reporter the other's
// record.
//
// A photo is bound to its record's receipt hash and kind and to its
// position among the record's photos (0, 1, 2 by id): all known before
// the row exists, so photos (megabytes) are sealed before the write, not
// in the writer's transaction, which every other write waits for.
type place struct {
	table, column string
	row           int64        // the row's id; a photo's position in its record
	submission    int64        // the record's id; 0 for a photo, and for what belongs to no record
	kind          formsvc.Kind // the record's kind; "" for what belongs to no record
	receipt       []byte       // the record's receipt hash: its content, and its photos
}

// aadVersion starts every place: a later scheme must not collide.
const aadVersion = "formsvc aad v2"

func (p place) aad() []byte {
	b := make([]byte, 0, 96+len(p.receipt))
	b = append(b, aadVersion...)
	b = append(b, 0)
	b = append(b, p.table...)
	b = append(b, '.')
	b = append(b, p.column...)
	b = append(b, 0)
	b = strconv.AppendInt(b, p.row, 10)
	if p.submission != 0 || p.kind != "" {
		b = append(b, 0)
		b = strconv.AppendInt(b, p.submission, 10)
		b = append(b, 0)
		b = append(b, p.kind...)
	}
	if p.receipt != nil {
		b = append(b, 0)
		b = append(b, p.receipt...)
	}
	return b
}

func contentPlace(id int64, k formsvc.Kind, receipt []byte) place {
	return place{table: "submissions", column: "content", row: id, submission: id, kind: k, receipt: receipt}
}

func photoPlace(position int, k formsvc.Kind, receipt []byte) place {
	return place{table: "photos", column: "data", row: int64(position), kind: k, receipt: receipt}
}

func messagePlace(id int64, s *formsvc.Submission) place {
	return place{table: "messages", column: "body", row: id, submission: s.ID, kind: s.Kind}
}

func notePlace(id int64, s *formsvc.Submission) place {
	return place{table: "notes", column: "body", row: id, submission: s.ID, kind: s.Kind}
}

func historyPlace(id int64, s *formsvc.Submission) place {
	return place{table: "status_history", column: "note", row: id, submission: s.ID, kind: s.Kind}
}

func priorityPlace(id int64, s *formsvc.Submission) place {
	return place{table: "priority_history", column: "reason", row: id, submission: s.ID, kind: s.Kind}
}

func totpPlace(officerID int64) place {
	return place{table: "officers", column: "totp_secret", row: officerID}
}

func (db *DB) seal(plain []byte, p place) []byte { return db.keys.Seal(plain, p.aad()) }

// ErrUnreadable is in the chain of the error of a sealed value that does
// not open in its place: it was damaged, moved from another place, or
// sealed under another key.
var ErrUnreadable = errors.New("sqlite: sealed value does not open in its place")

func (db *DB) open(sealed []byte, p place) ([]byte, error) {
	plain, err := db.keys.Open(sealed, p.aad())
	if err != nil {
		return nil, fmt.Errorf("%s.%s at %d: %w: %w", p.table, p.column, p.row, ErrUnreadable, err)
	}
	return plain, nil
}

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
