package sqlite

import (
	"context"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

var _ formsvc.FollowUpService = (*DB)(nil)

// AddMessage stores a message on s and sets its ID.
func (db *DB) AddMessage(ctx context.Context, s *formsvc.Submission, m *formsvc.Message) error {
	created := m.CreatedAt.UTC().Format(TimeFormat)
	var officer any
	if m.OfficerID != 0 {
		officer = m.OfficerID
	}
	return db.write(ctx, func(w *wtx) error {
		id, err := w.nextID("messages")
		if err != nil {
			return err
		}
		if _, err := w.Exec(`INSERT INTO messages (id, submission_id, author, officer_id, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, s.ID, m.Author, officer, db.seal([]byte(m.Body), seal.Message(id, s)), created); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		m.ID = id
		return nil
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
		body, err := db.open(sealed, seal.Message(m.ID, s))
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
