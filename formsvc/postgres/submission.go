package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

var _ formsvc.SubmissionService = (*DB)(nil)

// qInsertSubmission takes the next reference number of the kind and year
// (ref_counters: the counter's row stays locked until the transaction
// ends, so concurrent submissions, on any instance, take turns for it
// and never share a number; the first of a year starts after any record
// already there, from a copy without counters) and stores the
// submission with it, under the id its content was sealed for. No row
// comes back when the receipt's hash is taken; the transaction is then
// rolled back and gives the number back.
const qInsertSubmission = `WITH ref AS (
		INSERT INTO ref_counters AS c (kind, ref_year, last_seq)
		VALUES ($2, $3, (SELECT COALESCE(MAX(ref_seq), 0) + 1 FROM submissions WHERE kind = $2 AND ref_year = $3))
		ON CONFLICT (kind, ref_year) DO UPDATE SET last_seq = GREATEST(c.last_seq + 1, excluded.last_seq)
		RETURNING last_seq)
	INSERT INTO submissions
		(id, kind, ref_year, ref_seq, receipt_hash, status, priority, category, created_at, updated_at, content)
	SELECT $1, $2, $3, ref.last_seq, $4, $5, $6, $7, $8, $8, $9 FROM ref
	ON CONFLICT (receipt_hash) DO NOTHING
	RETURNING ref_seq`

// nextID takes the id the next row of table will have, for a value to be
// sealed for its row before the row is stored. Ids taken and not used
// leave gaps; nothing depends on ids being dense.
func nextID(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, table string) (int64, error) {
	var id int64
	query := `SELECT nextval(pg_get_serial_sequence($1, 'id'))`
	if table == "submissions" || table == "messages" {
		// The shared side of newRowsLock, taken before the id: see
		// (*DB).newest.
		query = `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM (SELECT ` + newRowsShared + `) l`
	}
	if err := q.QueryRow(ctx, query, table).Scan(&id); err != nil {
		return 0, fmt.Errorf("next id of %s: %w", table, err)
	}
	return id, nil
}

// CreateSubmission stores s, its services and photos, and returns once
// the transaction that holds them is committed: with the submissions
// that came at the same moment, in one transaction (group.go).
func (db *DB) CreateSubmission(ctx context.Context, s *formsvc.Submission, receiptHash []byte) error {
	content, err := s.Content.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode content: %w", err)
	}
	r := &subReq{s: s, receipt: receiptHash, content: content, year: s.CreatedAt.Year(), err: make(chan error, 1)}
	r.photos = make([][]byte, len(s.Photos))
	for i, p := range s.Photos {
		r.photos[i] = seal.Seal(db.keys, p.Data, seal.Photo(i, s.Kind, receiptHash))
	}
	if s.Category != "" {
		category := s.Category
		r.category = &category
	}
	if err := db.enqueue(ctx, r); err != nil {
		return err
	}
	s.ID = r.id
	s.Ref = db.ref(s.Kind, r.year, r.seq)
	return nil
}

// SubmissionByReceipt finds a submission by its receipt's hash and opens
// its content. It returns a formsvc ENOTFOUND error when there is none.
func (db *DB) SubmissionByReceipt(ctx context.Context, receiptHash []byte) (*formsvc.Submission, error) {
	var s formsvc.Submission
	var category *string
	var sealed []byte
	var year, seq int
	err := db.pool.QueryRow(ctx, `SELECT id, kind, ref_year, ref_seq, status, priority, category, created_at, updated_at, content
		FROM submissions WHERE receipt_hash = $1`, receiptHash).
		Scan(&s.ID, &s.Kind, &year, &seq, &s.Status, &s.Priority, &category, &s.CreatedAt, &s.UpdatedAt, &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không tìm thấy mã biên nhận này."}
	}
	if err != nil {
		return nil, fmt.Errorf("find submission: %w", unavailable(err))
	}
	s.Ref = db.ref(s.Kind, year, seq)
	if category != nil {
		s.Category = *category
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	plain, err := seal.Open(db.keys, sealed, seal.Content(s.ID, s.Kind, receiptHash))
	if err != nil {
		return nil, fmt.Errorf("decrypt submission %d: %w", s.ID, err)
	}
	if err := s.Content.UnmarshalBinary(plain); err != nil {
		return nil, fmt.Errorf("decode submission %d: %w", s.ID, err)
	}
	rows, err := db.pool.Query(ctx, `SELECT code FROM submission_services WHERE submission_id = $1 ORDER BY position`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("read services: %w", unavailable(err))
	}
	if s.Services, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, fmt.Errorf("read services: %w", unavailable(err))
	}
	return &s, nil
}

// Photos returns a submission's photos, opened.
func (db *DB) Photos(ctx context.Context, s *formsvc.Submission) ([]formsvc.Photo, error) {
	rows, err := db.pool.Query(ctx, `SELECT p.content_type, p.data, s.receipt_hash
		FROM photos p JOIN submissions s ON s.id = p.submission_id WHERE p.submission_id = $1 ORDER BY p.id`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("read photos: %w", unavailable(err))
	}
	defer rows.Close()
	var out []formsvc.Photo
	for rows.Next() {
		var p formsvc.Photo
		var sealed, receipt []byte
		if err := rows.Scan(&p.ContentType, &sealed, &receipt); err != nil {
			return nil, err
		}
		if p.Data, err = seal.Open(db.keys, sealed, seal.Photo(len(out), s.Kind, receipt)); err != nil {
			return nil, fmt.Errorf("decrypt photo: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

var _ formsvc.FollowUpService = (*DB)(nil)

// AddMessage stores a message on s durably and sets its ID.
func (db *DB) AddMessage(ctx context.Context, s *formsvc.Submission, m *formsvc.Message) error {
	var officer *int64
	if m.OfficerID != 0 {
		officer = &m.OfficerID
	}
	var id int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		var err error
		if id, err = nextID(ctx, tx, "messages"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO messages (id, submission_id, author, officer_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, s.ID, m.Author, officer,
			seal.Seal(db.keys, []byte(m.Body), seal.Message(id, s)), m.CreatedAt.UTC()); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.ID = id
	return nil
}

// Messages lists s's messages, oldest first, opened.
func (db *DB) Messages(ctx context.Context, s *formsvc.Submission) ([]formsvc.Message, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, author, COALESCE(officer_id, 0), body, created_at
		FROM messages WHERE submission_id = $1 ORDER BY id`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", unavailable(err))
	}
	defer rows.Close()
	var out []formsvc.Message
	for rows.Next() {
		var m formsvc.Message
		var sealed []byte
		var created time.Time
		if err := rows.Scan(&m.ID, &m.Author, &m.OfficerID, &sealed, &created); err != nil {
			return nil, err
		}
		body, err := seal.Open(db.keys, sealed, seal.Message(m.ID, s))
		if err != nil {
			return nil, fmt.Errorf("decrypt message %d: %w", m.ID, err)
		}
		m.Body, m.CreatedAt = string(body), created.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}
