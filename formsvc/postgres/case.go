package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

var (
	_ formsvc.CaseService  = (*DB)(nil)
	_ formsvc.FactsService = (*DB)(nil)
)

// openStatus is true, in SQL, for a record (alias s) whose status still
// needs work, as workflow_statuses (forms.yaml) says.
const openStatus = `EXISTS (SELECT 1 FROM workflow_statuses w WHERE w.kind = s.kind AND w.status = s.status AND w.open)`

// servicesOf is a record's (alias s) service codes, in the order given.
const servicesOf = `ARRAY(SELECT ss.code FROM submission_services ss WHERE ss.submission_id = s.id ORDER BY ss.position)`

// params numbers a query's parameters as they are added.
type params []any

// add adds v and returns its placeholder.
func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// where builds the WHERE clause of a filter, adding its parameters to p.
// The role's kinds always apply: a role never sees the other kind's
// records.
func where(f formsvc.CaseFilter, p *params) string {
	kinds := f.Kinds
	if f.Kind != "" {
		allowed := false
		for _, k := range kinds {
			allowed = allowed || k == f.Kind
		}
		if !allowed {
			return "false"
		}
		kinds = []formsvc.Kind{f.Kind}
	}
	if len(kinds) == 0 {
		return "false"
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	conds := []string{"s.kind = ANY(" + p.add(names) + ")"}
	if f.Status != "" {
		conds = append(conds, "s.status = "+p.add(string(f.Status)))
	}
	if f.Priority != "" {
		conds = append(conds, "s.priority = "+p.add(string(f.Priority)))
	}
	if f.Code != "" {
		c := p.add(f.Code)
		conds = append(conds, "(s.category = "+c+" OR EXISTS (SELECT 1 FROM submission_services ss WHERE ss.submission_id = s.id AND ss.code = "+c+"))")
	}
	if !f.From.IsZero() {
		conds = append(conds, "s.created_at >= "+p.add(f.From.UTC()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "s.created_at < "+p.add(f.To.UTC()))
	}
	return strings.Join(conds, " AND ")
}

// Cases lists the inbox: high priority and open first, then overdue
// (open, no action since overdueBefore), then newest first; and the total
// that match.
func (db *DB) Cases(ctx context.Context, f formsvc.CaseFilter, overdueBefore time.Time) ([]formsvc.CaseSummary, int, error) {
	var p params
	w := where(f, &p)
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM submissions s WHERE `+w, p...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", unavailable(err))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	// The record's workflow row is joined once (every record has one: a
	// trigger sees to it), and the services are read for the page's
	// records only, after the sort: read for every record before it, they
	// were two thirds of the page's 50 ms over 10,000 records.
	overdue := `(ws.open AND s.updated_at < ` + p.add(overdueBefore.UTC()) + `)`
	q := `SELECT t.id, t.kind, t.ref_year, t.ref_seq, t.status, t.priority, t.category, t.created_at, t.updated_at,
			t.username, t.overdue, ARRAY(SELECT ss.code FROM submission_services ss WHERE ss.submission_id = t.id ORDER BY ss.position)
		FROM (SELECT s.id, s.kind, s.ref_year, s.ref_seq, s.status, s.priority, COALESCE(s.category, '') AS category,
				s.created_at, s.updated_at, COALESCE(o.username, '') AS username, ` + overdue + ` AS overdue,
				(s.priority = ` + p.add(string(formsvc.PriorityHigh)) + ` AND ws.open) AS urgent
			FROM submissions s JOIN workflow_statuses ws ON ws.kind = s.kind AND ws.status = s.status
				LEFT JOIN officers o ON o.id = s.assigned_to
			WHERE ` + w + `
			ORDER BY urgent DESC, overdue DESC, s.created_at DESC, s.id DESC
			LIMIT ` + p.add(limit) + ` OFFSET ` + p.add(f.Offset) + `) t
		ORDER BY t.urgent DESC, t.overdue DESC, t.created_at DESC, t.id DESC`
	rows, err := db.pool.Query(ctx, q, p...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", unavailable(err))
	}
	defer rows.Close()
	var out []formsvc.CaseSummary
	for rows.Next() {
		var c formsvc.CaseSummary
		var year, seq int
		if err := rows.Scan(&c.ID, &c.Kind, &year, &seq, &c.Status, &c.Priority, &c.Category, &c.CreatedAt, &c.UpdatedAt,
			&c.AssignedTo, &c.Overdue, &c.Services); err != nil {
			return nil, 0, err
		}
		c.Ref = db.ref(c.Kind, year, seq)
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		if len(c.Services) == 0 {
			c.Services = nil
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", unavailable(err))
	}
	return out, total, nil
}

// StatusCounts counts records per kind and status, for the kinds given.
func (db *DB) StatusCounts(ctx context.Context, kinds []formsvc.Kind) (map[formsvc.Kind]map[formsvc.Status]int, error) {
	var p params
	w := where(formsvc.CaseFilter{Kinds: kinds}, &p)
	rows, err := db.pool.Query(ctx, `SELECT s.kind, s.status, count(*) FROM submissions s WHERE `+w+` GROUP BY s.kind, s.status`, p...)
	if err != nil {
		return nil, fmt.Errorf("count statuses: %w", unavailable(err))
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

func errNoCase() error {
	return &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không có hồ sơ này."}
}

// Case reads one record, decrypted, if its kind is among kinds; otherwise
// it does not exist as far as the caller is concerned (ENOTFOUND).
func (db *DB) Case(ctx context.Context, id int64, kinds []formsvc.Kind) (*formsvc.Submission, error) {
	var s formsvc.Submission
	var category *string
	var assigned *int64
	var first, closed *time.Time
	var sealed, receipt []byte
	var year, seq int
	err := db.pool.QueryRow(ctx, `SELECT s.id, s.kind, s.ref_year, s.ref_seq, s.status, s.priority, s.category, s.created_at, s.updated_at,
			s.assigned_to, s.first_action_at, s.closed_at, s.content, s.receipt_hash, `+servicesOf+`
		FROM submissions s WHERE s.id = $1`, id).
		Scan(&s.ID, &s.Kind, &year, &seq, &s.Status, &s.Priority, &category, &s.CreatedAt, &s.UpdatedAt, &assigned, &first, &closed,
			&sealed, &receipt, &s.Services)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoCase()
	}
	if err != nil {
		return nil, fmt.Errorf("read case: %w", unavailable(err))
	}
	allowed := false
	for _, k := range kinds {
		allowed = allowed || k == s.Kind
	}
	if !allowed {
		return nil, errNoCase()
	}
	s.Ref = db.ref(s.Kind, year, seq)
	if category != nil {
		s.Category = *category
	}
	if assigned != nil {
		s.AssignedTo = *assigned
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.FirstActionAt, s.ClosedAt = utc(first), utc(closed)
	if len(s.Services) == 0 {
		s.Services = nil
	}
	plain, err := seal.Open(db.keys, sealed, seal.Content(s.ID, s.Kind, receipt))
	if err != nil {
		return nil, fmt.Errorf("decrypt submission %d: %w", s.ID, err)
	}
	if err := s.Content.UnmarshalBinary(plain); err != nil {
		return nil, fmt.Errorf("decode submission %d: %w", s.ID, err)
	}
	return &s, nil
}

// utc is a nullable time in UTC, zero for NULL.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// CaseByRef is Case found by its reference (TB-2026-0042): the console's
// addresses name a case by its reference, numbered per kind, never by the
// row id.
func (db *DB) CaseByRef(ctx context.Context, ref string, kinds []formsvc.Kind) (*formsvc.Submission, error) {
	d, year, seq, ok := db.spec.ParseRef(ref)
	if !ok {
		return nil, errNoCase()
	}
	var id int64
	err := db.pool.QueryRow(ctx, `SELECT id FROM submissions WHERE kind = $1 AND ref_year = $2 AND ref_seq = $3`,
		string(d.Kind), year, seq).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoCase()
	}
	if err != nil {
		return nil, fmt.Errorf("find case %s: %w", ref, unavailable(err))
	}
	return db.Case(ctx, id, kinds)
}

// each runs a read query and calls fn for each row, as it comes.
func (db *DB) each(ctx context.Context, fn func(pgx.Rows) error, q string, args ...any) error {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read: %w", unavailable(err))
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read: %w", unavailable(err))
	}
	return nil
}

// History lists a record's status changes, oldest first.
func (db *DB) History(ctx context.Context, s *formsvc.Submission) ([]formsvc.StatusChange, error) {
	var out []formsvc.StatusChange
	err := db.each(ctx, func(rows pgx.Rows) error {
		var c formsvc.StatusChange
		var id int64
		var sealed []byte
		if err := rows.Scan(&id, &c.From, &c.To, &c.OfficerName, &sealed, &c.At); err != nil {
			return err
		}
		note, err := seal.Open(db.keys, sealed, seal.History(id, s))
		if err != nil {
			return fmt.Errorf("decrypt status note: %w", err)
		}
		c.Note, c.At = string(note), c.At.UTC()
		out = append(out, c)
		return nil
	}, `SELECT h.id, h.from_status, h.to_status, o.username, h.note, h.created_at
		FROM status_history h JOIN officers o ON o.id = h.officer_id WHERE h.submission_id = $1 ORDER BY h.id`, s.ID)
	return out, err
}

// Notes lists a record's internal notes, oldest first.
func (db *DB) Notes(ctx context.Context, s *formsvc.Submission) ([]formsvc.Note, error) {
	var out []formsvc.Note
	err := db.each(ctx, func(rows pgx.Rows) error {
		var n formsvc.Note
		var id int64
		var sealed []byte
		if err := rows.Scan(&id, &n.OfficerName, &sealed, &n.At); err != nil {
			return err
		}
		body, err := seal.Open(db.keys, sealed, seal.Note(id, s))
		if err != nil {
			return fmt.Errorf("decrypt note: %w", err)
		}
		n.Body, n.At = string(body), n.At.UTC()
		out = append(out, n)
		return nil
	}, `SELECT n.id, o.username, n.body, n.created_at
		FROM notes n JOIN officers o ON o.id = n.officer_id WHERE n.submission_id = $1 ORDER BY n.id`, s.ID)
	return out, err
}

// PriorityHistory lists a record's priority changes, oldest first.
func (db *DB) PriorityHistory(ctx context.Context, s *formsvc.Submission) ([]formsvc.PriorityChange, error) {
	var out []formsvc.PriorityChange
	err := db.each(ctx, func(rows pgx.Rows) error {
		var c formsvc.PriorityChange
		var id int64
		var sealed []byte
		if err := rows.Scan(&id, &c.From, &c.To, &c.OfficerName, &sealed, &c.At); err != nil {
			return err
		}
		reason, err := seal.Open(db.keys, sealed, seal.Priority(id, s))
		if err != nil {
			return fmt.Errorf("decrypt priority reason: %w", err)
		}
		c.Reason, c.At = string(reason), c.At.UTC()
		out = append(out, c)
		return nil
	}, `SELECT h.id, h.from_priority, h.to_priority, o.username, h.reason, h.created_at
		FROM priority_history h JOIN officers o ON o.id = h.officer_id WHERE h.submission_id = $1 ORDER BY h.id`, s.ID)
	return out, err
}

// Referrals lists a record's referrals, oldest first.
func (db *DB) Referrals(ctx context.Context, s *formsvc.Submission) ([]formsvc.Referral, error) {
	var out []formsvc.Referral
	err := db.each(ctx, func(rows pgx.Rows) error {
		var r formsvc.Referral
		var outcome, by *string
		var outcomeAt *time.Time
		if err := rows.Scan(&r.ID, &r.Destination, &r.OfficerName, &r.At, &outcome, &by, &outcomeAt); err != nil {
			return err
		}
		if outcome != nil {
			r.Outcome = *outcome
		}
		if by != nil {
			r.OutcomeBy = *by
		}
		r.At, r.OutcomeAt = r.At.UTC(), utc(outcomeAt)
		out = append(out, r)
		return nil
	}, `SELECT r.id, r.destination, o.username, r.created_at, r.outcome, p.username, r.outcome_at
		FROM referrals r JOIN officers o ON o.id = r.officer_id LEFT JOIN officers p ON p.id = r.outcome_officer_id
		WHERE r.submission_id = $1 ORDER BY r.id`, s.ID)
	return out, err
}

// touch marks an officer's action on a record: updated_at, and the first
// action's time if there was none.
func touch(ctx context.Context, tx pgx.Tx, id int64, at time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE submissions SET updated_at = $1, first_action_at = COALESCE(first_action_at, $1) WHERE id = $2`, at, id)
	return err
}

// ErrStale means the record changed under the officer: reload and retry.
var ErrStale = &formsvc.Error{Code: formsvc.ECONFLICT, Message: "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang."}

// ChangeStatus moves a record to m.To with a note, in one transaction: a
// guarded update (only from the status the officer saw: of two officers
// racing from one status, the second's update waits for the first's row
// lock, finds the status changed and matches nothing), a history row,
// and for a referral status the referral.
func (db *DB) ChangeStatus(ctx context.Context, s *formsvc.Submission, m formsvc.StatusMove) error {
	def := db.spec.Kind(s.Kind)
	if def == nil {
		return formsvc.Errorf(formsvc.EINVALID, "Trạng thái này không có ở loại hồ sơ này.")
	}
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
	at := m.At.UTC()
	var closedAt *time.Time
	if m.To == formsvc.StatusClosed {
		closedAt = &at
	}
	return db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE submissions SET status = $1, closed_at = $2 WHERE id = $3 AND status = $4`,
			m.To, closedAt, s.ID, s.Status)
		if err != nil {
			return fmt.Errorf("change status: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrStale
		}
		id, err := nextID(ctx, tx, "status_history")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO status_history (id, submission_id, from_status, to_status, officer_id, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, s.ID, s.Status, m.To, m.OfficerID,
			seal.Seal(db.keys, []byte(m.Note), seal.History(id, s)), at); err != nil {
			return fmt.Errorf("status history: %w", err)
		}
		if to.Referral {
			if _, err := tx.Exec(ctx, `INSERT INTO referrals (submission_id, destination, officer_id, created_at) VALUES ($1, $2, $3, $4)`,
				s.ID, m.Destination, m.OfficerID, at); err != nil {
				return fmt.Errorf("referral: %w", err)
			}
		}
		return touch(ctx, tx, s.ID, at)
	})
}

// SetPriority changes a record's priority with a reason, guarded like a
// status change (only from the priority the officer saw).
func (db *DB) SetPriority(ctx context.Context, s *formsvc.Submission, to formsvc.Priority, officerID int64, reason string, now time.Time) error {
	if !to.Valid() || to == s.Priority {
		return formsvc.Errorf(formsvc.EINVALID, "Vui lòng chọn mức ưu tiên mới.")
	}
	at := now.UTC()
	return db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE submissions SET priority = $1 WHERE id = $2 AND priority = $3`, to, s.ID, s.Priority)
		if err != nil {
			return fmt.Errorf("set priority: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return ErrStale
		}
		id, err := nextID(ctx, tx, "priority_history")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO priority_history (id, submission_id, from_priority, to_priority, officer_id, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, s.ID, s.Priority, to, officerID,
			seal.Seal(db.keys, []byte(reason), seal.Priority(id, s)), at); err != nil {
			return fmt.Errorf("priority history: %w", err)
		}
		return touch(ctx, tx, s.ID, at)
	})
}

// RecordOutcome records what came of one of a record's referrals.
func (db *DB) RecordOutcome(ctx context.Context, s *formsvc.Submission, id int64, outcome string, officerID int64, now time.Time) error {
	if db.spec.Referrals.Outcome(outcome) == nil {
		return formsvc.Errorf(formsvc.EINVALID, "Vui lòng chọn kết quả.")
	}
	at := now.UTC()
	return db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE referrals SET outcome = $1, outcome_officer_id = $2, outcome_at = $3 WHERE id = $4 AND submission_id = $5`,
			outcome, officerID, at, id, s.ID)
		if err != nil {
			return fmt.Errorf("referral outcome: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return formsvc.Errorf(formsvc.ENOTFOUND, "Hồ sơ này không có lần chuyển đó.")
		}
		return touch(ctx, tx, s.ID, at)
	})
}

// AddNote stores an internal note.
func (db *DB) AddNote(ctx context.Context, s *formsvc.Submission, officerID int64, body string, now time.Time) error {
	at := now.UTC()
	return db.write(ctx, func(tx pgx.Tx) error {
		id, err := nextID(ctx, tx, "notes")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notes (id, submission_id, officer_id, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id, s.ID, officerID, seal.Seal(db.keys, []byte(body), seal.Note(id, s)), at); err != nil {
			return fmt.Errorf("add note: %w", err)
		}
		return touch(ctx, tx, s.ID, at)
	})
}

// Reply stores an officer's message to the reporter.
func (db *DB) Reply(ctx context.Context, s *formsvc.Submission, officerID int64, body string, now time.Time) error {
	at := now.UTC()
	return db.write(ctx, func(tx pgx.Tx) error {
		id, err := nextID(ctx, tx, "messages")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO messages (id, submission_id, author, officer_id, body, created_at) VALUES ($1, $2, 'officer', $3, $4, $5)`,
			id, s.ID, officerID, seal.Seal(db.keys, []byte(body), seal.Message(id, s)), at); err != nil {
			return fmt.Errorf("reply: %w", err)
		}
		return touch(ctx, tx, s.ID, at)
	})
}

// Assign gives a record to an officer (0: nobody).
func (db *DB) Assign(ctx context.Context, s *formsvc.Submission, officerID int64, now time.Time) error {
	at := now.UTC()
	var who *int64
	if officerID != 0 {
		who = &officerID
	}
	return db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE submissions SET assigned_to = $1 WHERE id = $2`, who, s.ID); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		return touch(ctx, tx, s.ID, at)
	})
}
