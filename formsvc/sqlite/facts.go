package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

var _ formsvc.FactsService = (*DB)(nil)

// EachFacts streams the counting fields of the records f selects, oldest
// first. Nothing is decrypted: the facts are stored in clear.
func (db *DB) EachFacts(ctx context.Context, f formsvc.CaseFilter, fn func(formsvc.Facts) error) error {
	w, args := where(f)
	return db.each(ctx, func(rows *sql.Rows) error {
		var x formsvc.Facts
		var created, services, reached, referrals string
		var first, closed sql.NullString
		if err := rows.Scan(&x.Kind, &x.Status, &x.Priority, &x.Category, &created, &first, &closed, &services, &reached, &referrals); err != nil {
			return err
		}
		var err error
		if x.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		if x.FirstActionAt, err = parseNullTime(first); err != nil {
			return err
		}
		if x.ClosedAt, err = parseNullTime(closed); err != nil {
			return err
		}
		x.Services = splitList(services)
		x.Referrals = splitList(referrals)
		for _, st := range splitList(reached) {
			x.Reached = append(x.Reached, formsvc.Status(st))
		}
		return fn(x)
	}, `SELECT s.kind, s.status, s.priority, COALESCE(s.category, ''), s.created_at,
			s.first_action_at, s.closed_at,
			COALESCE((SELECT group_concat(code, ',') FROM submission_services ss WHERE ss.submission_id = s.id), ''),
			COALESCE((SELECT group_concat(DISTINCT to_status) FROM status_history h WHERE h.submission_id = s.id), ''),
			COALESCE((SELECT group_concat(DISTINCT destination) FROM referrals r WHERE r.submission_id = s.id), '')
		FROM submissions s WHERE `+w+` ORDER BY s.created_at, s.id`, args...)
}

// splitList reads a group_concat list ("" is none).
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
