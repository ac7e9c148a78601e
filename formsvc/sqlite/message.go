package sqlite

import (
	"context"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

var _ formsvc.FollowUpService = (*DB)(nil)

func messageAAD(k formsvc.Kind) []byte { return []byte("message:" + string(k)) }

// AddMessage stores a message on s and sets its ID.
func (db *DB) AddMessage(ctx context.Context, s *formsvc.Submission, m *formsvc.Message) error {
	sealed := db.keys.Seal([]byte(m.Body), messageAAD(s.Kind))
	created := m.CreatedAt.UTC().Format(TimeFormat)
	var officer any
	if m.OfficerID != 0 {
		officer = m.OfficerID
	}
	return db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`INSERT INTO messages (submission_id, author, officer_id, body, created_at)
			VALUES (?, ?, ?, ?, ?)`, s.ID, m.Author, officer, sealed, created)
		if err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		m.ID, err = res.LastInsertId()
		return err
	})
}

// Messages lists s's messages, oldest first, decrypted.
func (db *DB) Messages(ctx context.Context, s *formsvc.Submission) ([]formsvc.Message, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, author, COALESCE(officer_id, 0), body, created_at
		FROM messages WHERE submission_id = ? ORDER BY id`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	defer rows.Close()
	var out []formsvc.Message
	for rows.Next() {
		var m formsvc.Message
		var sealed []byte
		var created string
		if err := rows.Scan(&m.ID, &m.Author, &m.OfficerID, &sealed, &created); err != nil {
			return nil, err
		}
		body, err := db.keys.Open(sealed, messageAAD(s.Kind))
		if err != nil {
			return nil, fmt.Errorf("decrypt message %d: %w", m.ID, err)
		}
		m.Body = string(body)
		if m.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
