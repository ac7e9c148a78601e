package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

var _ formsvc.SubmissionService = (*DB)(nil)

// qInsertSubmission stores a submission with the id its content was
// sealed for (see nextID) under the next reference number of its kind
// and year, in one statement (prepared once, see hotStatements): no row
// comes back when the receipt's hash is taken.
const qInsertSubmission = `INSERT INTO submissions
	(id, kind, ref_year, ref_seq, receipt_hash, status, priority, category, created_at, updated_at, content)
	VALUES (?9, ?1, ?2, (SELECT COALESCE(MAX(ref_seq), 0) + 1 FROM submissions WHERE kind = ?1 AND ref_year = ?2),
		?3, ?4, ?5, ?6, ?7, ?7, ?8)
	ON CONFLICT (receipt_hash) DO NOTHING
	RETURNING ref_seq`

const (
	qInsertService = `INSERT INTO submission_services (submission_id, code) VALUES (?, ?)`
	qInsertPhoto   = `INSERT INTO photos (submission_id, content_type, data) VALUES (?, ?, ?)`
)

// CreateSubmission stores s, its services and photos in one savepoint of a
// group commit, and returns once committed.
func (db *DB) CreateSubmission(ctx context.Context, s *formsvc.Submission, receiptHash []byte) error {
	content, err := s.Content.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode content: %w", err)
	}
	photos := make([][]byte, len(s.Photos))
	for i, p := range s.Photos {
		photos[i] = db.seal(p.Data, seal.Photo(i, s.Kind, receiptHash))
	}
	year := s.CreatedAt.Year()
	created := s.CreatedAt.UTC().Format(TimeFormat)
	var id int64
	var seq int
	// The write may run again (see writeRerunnable): it only sets id and seq.
	err = db.writeRerunnable(ctx, func(w *wtx) error {
		var category any
		if s.Category != "" {
			category = s.Category
		}
		// Sealed here, for the row's own id: some microseconds of the
		// writer's time for a tip's text (docs/BENCHMARKS.md).
		var err error
		if id, err = w.nextID("submissions"); err != nil {
			return err
		}
		sealed := db.seal(content, seal.Content(id, s.Kind, receiptHash))
		err = w.QueryRow(qInsertSubmission,
			s.Kind, year, receiptHash, s.Status, s.Priority, category, created, sealed, id).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return formsvc.ErrReceiptTaken
		}
		if err != nil {
			return fmt.Errorf("insert submission: %w", err)
		}
		for _, code := range s.Services {
			if _, err := w.Exec(qInsertService, id, code); err != nil {
				return fmt.Errorf("insert service: %w", err)
			}
		}
		for i, p := range s.Photos { // in order: a photo's id gives its position
			if _, err := w.Exec(qInsertPhoto, id, p.ContentType, photos[i]); err != nil {
				return fmt.Errorf("insert photo: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.ID = id
	s.Ref = db.ref(s.Kind, year, seq)
	return nil
}

// SubmissionByReceipt finds a submission by its receipt's hash and decrypts
// its content. It returns a formsvc ENOTFOUND error when there is none.
func (db *DB) SubmissionByReceipt(ctx context.Context, receiptHash []byte) (*formsvc.Submission, error) {
	var s formsvc.Submission
	var created string
	var category sql.NullString
	var sealed []byte
	var year, seq int
	err := db.read.QueryRowContext(ctx, `SELECT id, kind, ref_year, ref_seq, status, priority, category, created_at, content
		FROM submissions WHERE receipt_hash = ?`, receiptHash).
		Scan(&s.ID, &s.Kind, &year, &seq, &s.Status, &s.Priority, &category, &created, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không tìm thấy mã biên nhận này."}
	}
	if err != nil {
		return nil, fmt.Errorf("find submission: %w", err)
	}
	s.Ref = db.ref(s.Kind, year, seq)
	s.Category = category.String
	if err := db.fill(ctx, &s, created, sealed, receiptHash); err != nil {
		return nil, err
	}
	return &s, nil
}

func (db *DB) fill(ctx context.Context, s *formsvc.Submission, created string, sealed, receiptHash []byte) error {
	t, err := parseTime(created)
	if err != nil {
		return err
	}
	s.CreatedAt = t
	plain, err := db.open(sealed, seal.Content(s.ID, s.Kind, receiptHash))
	if err != nil {
		return fmt.Errorf("decrypt submission %d: %w", s.ID, err)
	}
	if err := s.Content.UnmarshalBinary(plain); err != nil {
		return fmt.Errorf("decode submission %d: %w", s.ID, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT code FROM submission_services WHERE submission_id = ? ORDER BY rowid`, s.ID)
	if err != nil {
		return fmt.Errorf("read services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return err
		}
		s.Services = append(s.Services, code)
	}
	return rows.Err()
}

// Photos returns a submission's photos, decrypted.
func (db *DB) Photos(ctx context.Context, s *formsvc.Submission) ([]formsvc.Photo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.content_type, p.data, s.receipt_hash
		FROM photos p JOIN submissions s ON s.id = p.submission_id WHERE p.submission_id = ? ORDER BY p.id`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("read photos: %w", err)
	}
	defer rows.Close()
	var out []formsvc.Photo
	for rows.Next() {
		var p formsvc.Photo
		var sealed, receipt []byte
		if err := rows.Scan(&p.ContentType, &sealed, &receipt); err != nil {
			return nil, err
		}
		if p.Data, err = db.open(sealed, seal.Photo(len(out), s.Kind, receipt)); err != nil {
			return nil, fmt.Errorf("decrypt photo: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
