package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

var _ formsvc.FactsService = (*DB)(nil)

// EachFacts streams the counting fields of the records f selects, oldest
// first. Nothing is decrypted: the facts are stored in clear.
func (db *DB) EachFacts(ctx context.Context, f formsvc.CaseFilter, fn func(formsvc.Facts) error) error {
	w, args := where(f)
	rows, err := db.read.QueryContext(ctx, `SELECT s.kind, s.status, s.priority, COALESCE(s.category, ''), s.created_at,
			s.first_action_at, s.closed_at,
			COALESCE((SELECT group_concat(code, ',') FROM submission_services ss WHERE ss.submission_id = s.id), ''),
			COALESCE((SELECT group_concat(DISTINCT to_status) FROM status_history h WHERE h.submission_id = s.id), '')
		FROM submissions s WHERE `+w+` ORDER BY s.created_at, s.id`, args...)
	if err != nil {
		return fmt.Errorf("read facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x formsvc.Facts
		var created, services, reached string
		var first, closed sql.NullString
		if err := rows.Scan(&x.Kind, &x.Status, &x.Priority, &x.Category, &created, &first, &closed, &services, &reached); err != nil {
			return err
		}
		if x.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		if first.Valid {
			if x.FirstActionAt, err = parseTime(first.String); err != nil {
				return err
			}
		}
		if closed.Valid {
			if x.ClosedAt, err = parseTime(closed.String); err != nil {
				return err
			}
		}
		if services != "" {
			x.Services = strings.Split(services, ",")
		}
		if reached != "" {
			for _, st := range strings.Split(reached, ",") {
				x.Reached = append(x.Reached, formsvc.Status(st))
			}
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return rows.Err()
}
