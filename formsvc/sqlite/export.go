package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// EachSubmission streams the records f selects, oldest first, decrypted,
// one at a time: an export of any size holds one record in memory. Only
// call it for an officer whose role may see f.Kinds.
func (db *DB) EachSubmission(ctx context.Context, f formsvc.CaseFilter, fn func(*formsvc.Submission) error) error {
	w, args := where(f)
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.kind, s.ref_year, s.ref_seq, s.status, s.priority, COALESCE(s.category, ''),
			s.created_at, s.first_action_at, s.closed_at, COALESCE(o.username, ''), s.content,
			CASE WHEN s.kind = 'support' THEN COALESCE((SELECT group_concat(code, ',') FROM submission_services ss WHERE ss.submission_id = s.id), '') ELSE '' END,
			CASE WHEN s.kind = 'tip' THEN (SELECT count(*) FROM photos p WHERE p.submission_id = s.id) ELSE 0 END
		FROM submissions s LEFT JOIN officers o ON o.id = s.assigned_to
		WHERE `+w+` ORDER BY s.created_at, s.id`, args...)
	if err != nil {
		return fmt.Errorf("read records: %w", err)
	}
	defer rows.Close()
	var plain []byte
	for rows.Next() {
		var s formsvc.Submission
		var year, seq int
		var created, services string
		var first, closed sql.NullString
		var sealed []byte
		if err := rows.Scan(&s.ID, &s.Kind, &year, &seq, &s.Status, &s.Priority, &s.Category, &created,
			&first, &closed, &s.AssignedName, &sealed, &services, &s.PhotoCount); err != nil {
			return err
		}
		s.Ref = formsvc.FormatRef(s.Kind, year, seq)
		if s.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		if first.Valid {
			if s.FirstActionAt, err = parseTime(first.String); err != nil {
				return err
			}
		}
		if closed.Valid {
			if s.ClosedAt, err = parseTime(closed.String); err != nil {
				return err
			}
		}
		if services != "" {
			s.Services = strings.Split(services, ",")
		}
		n := db.keys.AEAD.NonceSize()
		if len(sealed) < n {
			return fmt.Errorf("record %d: sealed content too short", s.ID)
		}
		plain, err = db.keys.AEAD.Open(plain[:0], sealed[:n], sealed[n:], contentAAD(s.Kind))
		if err != nil {
			return fmt.Errorf("decrypt record %d: %w", s.ID, err)
		}
		if err := s.Content.UnmarshalBinary(plain); err != nil {
			return fmt.Errorf("decode record %d: %w", s.ID, err)
		}
		if err := fn(&s); err != nil {
			return err
		}
	}
	return rows.Err()
}
