package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

// rawRecord is one row as read, before decryption.
type rawRecord struct {
	s       formsvc.Submission
	year    int
	seq     int
	created string
	first   sql.NullString
	closed  sql.NullString
	assign  sql.NullInt64
	sealed  []byte
	receipt []byte
	service string
}

const exportBatch = 256

// EachSubmission streams the records f selects, oldest first, decrypted,
// one at a time: an export of any size holds a few hundred records in
// memory. Reading rows and decrypting them run on two goroutines, so a
// large export uses both cores. Only call it for an officer whose role may
// see f.Kinds.
//
// A record that does not open (its content damaged, moved from another
// record, or sealed under another key) goes to skip, with its clear fields
// (id, kind, reference, status, dates) and why, and the export goes on;
// with a nil skip it ends the export with an error.
func (db *DB) EachSubmission(ctx context.Context, f formsvc.CaseFilter, fn func(*formsvc.Submission) error,
	skip func(*formsvc.Submission, error)) error {
	names, err := db.officerNames(ctx)
	if err != nil {
		return err
	}
	photos, err := db.photoCounts(ctx)
	if err != nil {
		return err
	}
	w, args := where(f)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.kind, s.ref_year, s.ref_seq, s.status, s.priority, COALESCE(s.category, ''),
			s.created_at, s.first_action_at, s.closed_at, s.assigned_to, s.content, s.receipt_hash,
			COALESCE((SELECT group_concat(code, ',') FROM submission_services ss WHERE ss.submission_id = s.id), '')
		FROM submissions s WHERE `+w+order(f), args...)
	if err != nil {
		return fmt.Errorf("read records: %w", err)
	}
	batches := make(chan []rawRecord, 4)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		defer rows.Close()
		batch := make([]rawRecord, 0, exportBatch)
		for rows.Next() {
			var r rawRecord
			if err := rows.Scan(&r.s.ID, &r.s.Kind, &r.year, &r.seq, &r.s.Status, &r.s.Priority, &r.s.Category,
				&r.created, &r.first, &r.closed, &r.assign, &r.sealed, &r.receipt, &r.service); err != nil {
				readErr <- err
				return
			}
			batch = append(batch, r)
			if len(batch) == exportBatch {
				select {
				case batches <- batch:
				case <-ctx.Done():
					readErr <- ctx.Err()
					return
				}
				batch = make([]rawRecord, 0, exportBatch)
			}
		}
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-ctx.Done():
			}
		}
		readErr <- rows.Err()
	}()
	var plain []byte
	for batch := range batches {
		for i := range batch {
			r := &batch[i]
			s := &r.s
			if err := db.finishRecord(r, names, photos, &plain); err != nil {
				if skip == nil {
					cancel()
					return err
				}
				s.Content = formsvc.Content{}
				skip(s, err)
				continue
			}
			if err := fn(s); err != nil {
				cancel()
				return err
			}
		}
	}
	return <-readErr
}

// order is the ORDER BY (and LIMIT) of a stream of records.
func order(f formsvc.CaseFilter) string {
	if !f.Newest {
		return ` ORDER BY s.created_at, s.id`
	}
	o := ` ORDER BY s.created_at DESC, s.id DESC`
	if f.Limit > 0 {
		o += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	return o
}

// finishRecord decodes a raw row into its submission.
func (db *DB) finishRecord(r *rawRecord, names map[int64]string, photos map[int64]int, plain *[]byte) error {
	s := &r.s
	var err error
	s.Ref = db.ref(s.Kind, r.year, r.seq)
	if s.CreatedAt, err = parseTime(r.created); err != nil {
		return err
	}
	if s.FirstActionAt, err = parseNullTime(r.first); err != nil {
		return err
	}
	if s.ClosedAt, err = parseNullTime(r.closed); err != nil {
		return err
	}
	s.AssignedTo = r.assign.Int64
	s.AssignedName = names[s.AssignedTo]
	s.PhotoCount = photos[s.ID]
	if r.service != "" {
		s.Services = strings.Split(r.service, ",")
	}
	n := db.keys.AEAD.NonceSize()
	if len(r.sealed) < n {
		return fmt.Errorf("record %d: sealed content too short", s.ID)
	}
	*plain, err = db.keys.AEAD.Open((*plain)[:0], r.sealed[:n], r.sealed[n:], seal.Content(s.ID, s.Kind, r.receipt).AAD())
	if err != nil {
		return fmt.Errorf("decrypt record %d: %w: %w", s.ID, ErrUnreadable, err)
	}
	r.sealed, r.receipt = nil, nil
	if err := s.Content.UnmarshalBinary(*plain); err != nil {
		return fmt.Errorf("decode record %d: %w", s.ID, err)
	}
	return nil
}

// officerNames maps officers' ids to usernames (a few dozen at most).
func (db *DB) officerNames(ctx context.Context) (map[int64]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, username FROM officers`)
	if err != nil {
		return nil, fmt.Errorf("read officers: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// photoCounts maps the records that have photos to how many.
func (db *DB) photoCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT submission_id, count(*) FROM photos GROUP BY submission_id`)
	if err != nil {
		return nil, fmt.Errorf("count photos: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
