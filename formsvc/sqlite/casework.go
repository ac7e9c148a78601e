package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

// SetPriority changes a record's priority with a reason, guarded like a
// status change (only from the priority the officer saw).
func (db *DB) SetPriority(ctx context.Context, s *formsvc.Submission, to formsvc.Priority, officerID int64, reason string, now time.Time) error {
	if !to.Valid() || to == s.Priority {
		return formsvc.Errorf(formsvc.EINVALID, "Vui lòng chọn mức ưu tiên mới.")
	}
	at := now.UTC().Format(TimeFormat)
	return db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`UPDATE submissions SET priority = ? WHERE id = ? AND priority = ?`, to, s.ID, s.Priority)
		if err != nil {
			return fmt.Errorf("set priority: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrStale
		}
		id, err := w.nextID("priority_history")
		if err != nil {
			return err
		}
		if _, err := w.Exec(`INSERT INTO priority_history (id, submission_id, from_priority, to_priority, officer_id, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, s.ID, s.Priority, to, officerID, db.seal([]byte(reason), seal.Priority(id, s)), at); err != nil {
			return fmt.Errorf("priority history: %w", err)
		}
		return touch(w, s.ID, at)
	})
}

// PriorityHistory lists a record's priority changes, oldest first.
func (db *DB) PriorityHistory(ctx context.Context, s *formsvc.Submission) ([]formsvc.PriorityChange, error) {
	var out []formsvc.PriorityChange
	err := db.each(ctx, func(rows *sql.Rows) error {
		var c formsvc.PriorityChange
		var id int64
		var sealed []byte
		var at string
		if err := rows.Scan(&id, &c.From, &c.To, &c.OfficerName, &sealed, &at); err != nil {
			return err
		}
		reason, err := db.open(sealed, seal.Priority(id, s))
		if err != nil {
			return fmt.Errorf("decrypt priority reason: %w", err)
		}
		c.Reason = string(reason)
		c.At, err = parseTime(at)
		out = append(out, c)
		return err
	}, `SELECT h.id, h.from_priority, h.to_priority, o.username, h.reason, h.created_at
		FROM priority_history h JOIN officers o ON o.id = h.officer_id WHERE h.submission_id = ? ORDER BY h.id`, s.ID)
	return out, err
}

// Referrals lists a record's referrals, oldest first.
func (db *DB) Referrals(ctx context.Context, s *formsvc.Submission) ([]formsvc.Referral, error) {
	var out []formsvc.Referral
	err := db.each(ctx, func(rows *sql.Rows) error {
		var r formsvc.Referral
		var at string
		var outcome, by, outcomeAt sql.NullString
		if err := rows.Scan(&r.ID, &r.Destination, &r.OfficerName, &at, &outcome, &by, &outcomeAt); err != nil {
			return err
		}
		r.Outcome, r.OutcomeBy = outcome.String, by.String
		var err error
		if r.At, err = parseTime(at); err != nil {
			return err
		}
		r.OutcomeAt, err = parseNullTime(outcomeAt)
		out = append(out, r)
		return err
	}, `SELECT r.id, r.destination, o.username, r.created_at, r.outcome, p.username, r.outcome_at
		FROM referrals r JOIN officers o ON o.id = r.officer_id LEFT JOIN officers p ON p.id = r.outcome_officer_id
		WHERE r.submission_id = ? ORDER BY r.id`, s.ID)
	return out, err
}

// RecordOutcome records what came of one of a record's referrals.
func (db *DB) RecordOutcome(ctx context.Context, s *formsvc.Submission, id int64, outcome string, officerID int64, now time.Time) error {
	if db.spec.Referrals.Outcome(outcome) == nil {
		return formsvc.Errorf(formsvc.EINVALID, "Vui lòng chọn kết quả.")
	}
	at := now.UTC().Format(TimeFormat)
	return db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`UPDATE referrals SET outcome = ?, outcome_officer_id = ?, outcome_at = ? WHERE id = ? AND submission_id = ?`,
			outcome, officerID, at, id, s.ID)
		if err != nil {
			return fmt.Errorf("referral outcome: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return formsvc.Errorf(formsvc.ENOTFOUND, "Hồ sơ này không có lần chuyển đó.")
		}
		return touch(w, s.ID, at)
	})
}

// each runs a read query and calls fn for each row.
func (db *DB) each(ctx context.Context, fn func(*sql.Rows) error, q string, args ...any) error {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// parseNullTime reads a nullable stored time (zero for NULL).
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}
