package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

var _ formsvc.CaseService = (*DB)(nil)

// where builds the WHERE clause of a filter. The role's kinds always
// apply: a role never sees the other kind's records.
func where(f formsvc.CaseFilter) (string, []any) {
	kinds := f.Kinds
	if f.Kind != "" {
		allowed := false
		for _, k := range kinds {
			allowed = allowed || k == f.Kind
		}
		if !allowed {
			return "1 = 0", nil
		}
		kinds = []formsvc.Kind{f.Kind}
	}
	if len(kinds) == 0 {
		return "1 = 0", nil
	}
	var conds []string
	var args []any
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		ph[i] = "?"
		args = append(args, string(k))
	}
	conds = append(conds, "s.kind IN ("+strings.Join(ph, ", ")+")")
	if f.Status != "" {
		conds = append(conds, "s.status = ?")
		args = append(args, f.Status)
	}
	if f.Priority != "" {
		conds = append(conds, "s.priority = ?")
		args = append(args, f.Priority)
	}
	if f.Code != "" {
		conds = append(conds, "(s.category = ? OR EXISTS (SELECT 1 FROM submission_services ss WHERE ss.submission_id = s.id AND ss.code = ?))")
		args = append(args, f.Code, f.Code)
	}
	if !f.From.IsZero() {
		conds = append(conds, "s.created_at >= ?")
		args = append(args, f.From.UTC().Format(TimeFormat))
	}
	if !f.To.IsZero() {
		conds = append(conds, "s.created_at < ?")
		args = append(args, f.To.UTC().Format(TimeFormat))
	}
	return strings.Join(conds, " AND "), args
}

// Cases lists the inbox: high priority and overdue (open, no action since
// overdueBefore) first, then newest first; and the total that match.
func (db *DB) Cases(ctx context.Context, f formsvc.CaseFilter, overdueBefore time.Time) ([]formsvc.CaseSummary, int, error) {
	w, args := where(f)
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM submissions s WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	// The services are read for the page's records only, after the sort
	// and the limit, not for every record the sort looks at.
	overdue := `(` + openStatus + ` AND s.updated_at < ?)`
	q := `SELECT t.id, t.kind, t.ref_year, t.ref_seq, t.status, t.priority, t.category, t.created_at, t.updated_at,
			t.username, t.overdue,
			COALESCE((SELECT group_concat(code, ',') FROM submission_services ss WHERE ss.submission_id = t.id), '')
		FROM (SELECT s.id, s.kind, s.ref_year, s.ref_seq, s.status, s.priority, COALESCE(s.category, '') AS category,
				s.created_at, s.updated_at, COALESCE(o.username, '') AS username, ` + overdue + ` AS overdue,
				(s.priority = ? AND ` + openStatus + `) AS urgent
			FROM submissions s LEFT JOIN officers o ON o.id = s.assigned_to
			WHERE ` + w + `
			ORDER BY urgent DESC, overdue DESC, s.created_at DESC, s.id DESC
			LIMIT ? OFFSET ?) t
		ORDER BY t.urgent DESC, t.overdue DESC, t.created_at DESC, t.id DESC`
	od := overdueBefore.UTC().Format(TimeFormat)
	qargs := append([]any{od, formsvc.PriorityHigh}, args...)
	qargs = append(qargs, limit, f.Offset)
	rows, err := db.read.QueryContext(ctx, q, qargs...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var out []formsvc.CaseSummary
	for rows.Next() {
		var c formsvc.CaseSummary
		var year, seq int
		var created, updated, services string
		if err := rows.Scan(&c.ID, &c.Kind, &year, &seq, &c.Status, &c.Priority, &c.Category, &created, &updated,
			&c.AssignedTo, &c.Overdue, &services); err != nil {
			return nil, 0, err
		}
		c.Ref = db.ref(c.Kind, year, seq)
		if services != "" {
			c.Services = strings.Split(services, ",")
		}
		if c.CreatedAt, err = parseTime(created); err != nil {
			return nil, 0, err
		}
		if c.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// StatusCounts counts records per kind and status, for the kinds given.
func (db *DB) StatusCounts(ctx context.Context, kinds []formsvc.Kind) (map[formsvc.Kind]map[formsvc.Status]int, error) {
	w, args := where(formsvc.CaseFilter{Kinds: kinds})
	rows, err := db.read.QueryContext(ctx, `SELECT s.kind, s.status, count(*) FROM submissions s WHERE `+w+` GROUP BY s.kind, s.status`, args...)
	if err != nil {
		return nil, fmt.Errorf("count statuses: %w", err)
	}
	defer rows.Close()
	out := map[formsvc.Kind]map[formsvc.Status]int{}
	for _, k := range kinds {
		out[k] = map[formsvc.Status]int{}
	}
	for rows.Next() {
		var k formsvc.Kind
		var status formsvc.Status
		var n int
		if err := rows.Scan(&k, &status, &n); err != nil {
			return nil, err
		}
		out[k][status] = n
	}
	return out, rows.Err()
}

// Case reads one record, decrypted, if its kind is among kinds; otherwise
// it does not exist as far as the caller is concerned (ENOTFOUND).
func (db *DB) Case(ctx context.Context, id int64, kinds []formsvc.Kind) (*formsvc.Submission, error) {
	var s formsvc.Submission
	var created, updated string
	var firstAction, closed, category sql.NullString
	var assigned sql.NullInt64
	var sealed, receiptHash []byte
	var year, seq int
	err := db.read.QueryRowContext(ctx, `SELECT id, kind, ref_year, ref_seq, status, priority, category, created_at, updated_at,
			assigned_to, first_action_at, closed_at, content, receipt_hash
		FROM submissions WHERE id = ?`, id).
		Scan(&s.ID, &s.Kind, &year, &seq, &s.Status, &s.Priority, &category, &created, &updated, &assigned, &firstAction, &closed,
			&sealed, &receiptHash)
	notFound := &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không có hồ sơ này."}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("read case: %w", err)
	}
	allowed := false
	for _, k := range kinds {
		allowed = allowed || k == s.Kind
	}
	if !allowed {
		return nil, notFound
	}
	s.Ref = db.ref(s.Kind, year, seq)
	s.Category = category.String
	s.AssignedTo = assigned.Int64
	if s.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if s.FirstActionAt, err = parseNullTime(firstAction); err != nil {
		return nil, err
	}
	if s.ClosedAt, err = parseNullTime(closed); err != nil {
		return nil, err
	}
	if err := db.fill(ctx, &s, created, sealed, receiptHash); err != nil {
		return nil, err
	}
	return &s, nil
}

// History lists a record's status changes, oldest first.
func (db *DB) History(ctx context.Context, s *formsvc.Submission) ([]formsvc.StatusChange, error) {
	var out []formsvc.StatusChange
	err := db.each(ctx, func(rows *sql.Rows) error {
		var c formsvc.StatusChange
		var id int64
		var sealed []byte
		var at string
		if err := rows.Scan(&id, &c.From, &c.To, &c.OfficerName, &sealed, &at); err != nil {
			return err
		}
		note, err := db.open(sealed, seal.History(id, s))
		if err != nil {
			return fmt.Errorf("decrypt status note: %w", err)
		}
		c.Note = string(note)
		c.At, err = parseTime(at)
		out = append(out, c)
		return err
	}, `SELECT h.id, h.from_status, h.to_status, o.username, h.note, h.created_at
		FROM status_history h JOIN officers o ON o.id = h.officer_id WHERE h.submission_id = ? ORDER BY h.id`, s.ID)
	return out, err
}

// Notes lists a record's internal notes, oldest first.
func (db *DB) Notes(ctx context.Context, s *formsvc.Submission) ([]formsvc.Note, error) {
	var out []formsvc.Note
	err := db.each(ctx, func(rows *sql.Rows) error {
		var n formsvc.Note
		var id int64
		var sealed []byte
		var at string
		if err := rows.Scan(&id, &n.OfficerName, &sealed, &at); err != nil {
			return err
		}
		body, err := db.open(sealed, seal.Note(id, s))
		if err != nil {
			return fmt.Errorf("decrypt note: %w", err)
		}
		n.Body = string(body)
		n.At, err = parseTime(at)
		out = append(out, n)
		return err
	}, `SELECT n.id, o.username, n.body, n.created_at
		FROM notes n JOIN officers o ON o.id = n.officer_id WHERE n.submission_id = ? ORDER BY n.id`, s.ID)
	return out, err
}

// touch marks an officer's action on a record: updated_at, and the first
// action's time if there was none.
func touch(w *wtx, id int64, at string) error {
	_, err := w.Exec(`UPDATE submissions SET updated_at = ?, first_action_at = COALESCE(first_action_at, ?) WHERE id = ?`, at, at, id)
	return err
}

// ErrStale means the record changed under the officer: reload and retry.
var ErrStale = &formsvc.Error{Code: formsvc.ECONFLICT, Message: "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang."}

// ChangeStatus moves a record to m.To with a note, in one transaction: a
// guarded update (only from the status the officer saw), a history row,
// and for a referral status the referral.
func (db *DB) ChangeStatus(ctx context.Context, s *formsvc.Submission, m formsvc.StatusMove) error {
	def := db.spec.Kind(s.Kind)
	to := def.Status(m.To)
	if to == nil {
		return formsvc.Errorf(formsvc.EINVALID, "Trạng thái này không có ở loại hồ sơ này.")
	}
	if to.Referral && db.spec.Referrals.Destination(s.Kind, m.Destination) == nil {
		return formsvc.Errorf(formsvc.EINVALID, "Vui lòng chọn nơi chuyển tới.")
	}
	if !to.Referral && m.Destination != "" {
		return formsvc.Errorf(formsvc.EINVALID, "Chỉ chọn nơi chuyển tới khi chuyển hồ sơ đi.")
	}
	at := m.At.UTC().Format(TimeFormat)
	var closedAt any
	if m.To == formsvc.StatusClosed {
		closedAt = at
	}
	return db.write(ctx, func(w *wtx) error {
		res, err := w.Exec(`UPDATE submissions SET status = ?, closed_at = ? WHERE id = ? AND status = ?`, m.To, closedAt, s.ID, s.Status)
		if err != nil {
			return fmt.Errorf("change status: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrStale
		}
		id, err := w.nextID("status_history")
		if err != nil {
			return err
		}
		if _, err := w.Exec(`INSERT INTO status_history (id, submission_id, from_status, to_status, officer_id, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, s.ID, s.Status, m.To, m.OfficerID, db.seal([]byte(m.Note), seal.History(id, s)), at); err != nil {
			return fmt.Errorf("status history: %w", err)
		}
		if to.Referral {
			if _, err := w.Exec(`INSERT INTO referrals (submission_id, destination, officer_id, created_at) VALUES (?, ?, ?, ?)`,
				s.ID, m.Destination, m.OfficerID, at); err != nil {
				return fmt.Errorf("referral: %w", err)
			}
		}
		return touch(w, s.ID, at)
	})
}

// AddNote stores an internal note.
func (db *DB) AddNote(ctx context.Context, s *formsvc.Submission, officerID int64, body string, now time.Time) error {
	at := now.UTC().Format(TimeFormat)
	return db.write(ctx, func(w *wtx) error {
		id, err := w.nextID("notes")
		if err != nil {
			return err
		}
		if _, err := w.Exec(`INSERT INTO notes (id, submission_id, officer_id, body, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, s.ID, officerID, db.seal([]byte(body), seal.Note(id, s)), at); err != nil {
			return fmt.Errorf("add note: %w", err)
		}
		return touch(w, s.ID, at)
	})
}

// Reply stores an officer's message to the reporter.
func (db *DB) Reply(ctx context.Context, s *formsvc.Submission, officerID int64, body string, now time.Time) error {
	at := now.UTC().Format(TimeFormat)
	return db.write(ctx, func(w *wtx) error {
		id, err := w.nextID("messages")
		if err != nil {
			return err
		}
		if _, err := w.Exec(`INSERT INTO messages (id, submission_id, author, officer_id, body, created_at) VALUES (?, ?, 'officer', ?, ?, ?)`,
			id, s.ID, officerID, db.seal([]byte(body), seal.Message(id, s)), at); err != nil {
			return fmt.Errorf("reply: %w", err)
		}
		return touch(w, s.ID, at)
	})
}

// Assign gives a record to an officer (0: nobody).
func (db *DB) Assign(ctx context.Context, s *formsvc.Submission, officerID int64, now time.Time) error {
	at := now.UTC().Format(TimeFormat)
	var who any
	if officerID != 0 {
		who = officerID
	}
	return db.write(ctx, func(w *wtx) error {
		if _, err := w.Exec(`UPDATE submissions SET assigned_to = ? WHERE id = ?`, who, s.ID); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		return touch(w, s.ID, at)
	})
}
