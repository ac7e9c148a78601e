// Package seal binds each sealed value of a store to its place: the
// additional data of the value's AEAD (formsvc.Keys) names the table and
// column, the row, and for what belongs to a record, the record and its
// kind. Both stores (formsvc/sqlite, formsvc/postgres) seal through it, so
// a value sealed by one opens in the same place of the other with the same
// key file.
package seal

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// A Place is where a sealed value lives: its table and column, its row,
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
// the row exists, so photos (megabytes) are sealed before the write
// transaction, not in it.
type Place struct {
	Table, Column string
	Row           int64        // the row's id; a photo's position in its record
	Submission    int64        // the record's id; 0 for a photo, and for what belongs to no record
	Kind          formsvc.Kind // the record's kind; "" for what belongs to no record
	Receipt       []byte       // the record's receipt hash: its content, and its photos
}

// aadVersion starts every place: a later scheme must not collide.
const aadVersion = "formsvc aad v2"

// AAD is the place as the AEAD's additional data.
func (p Place) AAD() []byte {
	b := make([]byte, 0, 96+len(p.Receipt))
	b = append(b, aadVersion...)
	b = append(b, 0)
	b = append(b, p.Table...)
	b = append(b, '.')
	b = append(b, p.Column...)
	b = append(b, 0)
	b = strconv.AppendInt(b, p.Row, 10)
	if p.Submission != 0 || p.Kind != "" {
		b = append(b, 0)
		b = strconv.AppendInt(b, p.Submission, 10)
		b = append(b, 0)
		b = append(b, p.Kind...)
	}
	if p.Receipt != nil {
		b = append(b, 0)
		b = append(b, p.Receipt...)
	}
	return b
}

// Content is the place of record id's content.
func Content(id int64, k formsvc.Kind, receipt []byte) Place {
	return Place{Table: "submissions", Column: "content", Row: id, Submission: id, Kind: k, Receipt: receipt}
}

// Photo is the place of a record's photo at position (0, 1, 2 by id).
func Photo(position int, k formsvc.Kind, receipt []byte) Place {
	return Place{Table: "photos", Column: "data", Row: int64(position), Kind: k, Receipt: receipt}
}

// Message is the place of message id's body on s.
func Message(id int64, s *formsvc.Submission) Place {
	return Place{Table: "messages", Column: "body", Row: id, Submission: s.ID, Kind: s.Kind}
}

// Note is the place of internal note id's body on s.
func Note(id int64, s *formsvc.Submission) Place {
	return Place{Table: "notes", Column: "body", Row: id, Submission: s.ID, Kind: s.Kind}
}

// History is the place of status change id's note on s.
func History(id int64, s *formsvc.Submission) Place {
	return Place{Table: "status_history", Column: "note", Row: id, Submission: s.ID, Kind: s.Kind}
}

// Priority is the place of priority change id's reason on s.
func Priority(id int64, s *formsvc.Submission) Place {
	return Place{Table: "priority_history", Column: "reason", Row: id, Submission: s.ID, Kind: s.Kind}
}

// TOTP is the place of an officer's second-factor secret.
func TOTP(officerID int64) Place {
	return Place{Table: "officers", Column: "totp_secret", Row: officerID}
}

// Seal seals plain for place p under k.
func Seal(k *formsvc.Keys, plain []byte, p Place) []byte { return k.Seal(plain, p.AAD()) }

// ErrUnreadable is in the chain of the error of a sealed value that does
// not open in its place: it was damaged, moved from another place, or
// sealed under another key. Each store's ErrUnreadable is this value.
var ErrUnreadable = errors.New("sealed value does not open in its place")

// Open opens a value sealed for place p under k.
func Open(k *formsvc.Keys, sealed []byte, p Place) ([]byte, error) {
	plain, err := k.Open(sealed, p.AAD())
	if err != nil {
		return nil, Unreadable(p, err)
	}
	return plain, nil
}

// Unreadable is the error of a value that does not open in place p.
func Unreadable(p Place, err error) error {
	return fmt.Errorf("%s.%s at %d: %w: %w", p.Table, p.Column, p.Row, ErrUnreadable, err)
}
