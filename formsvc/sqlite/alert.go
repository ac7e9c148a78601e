package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

var _ formsvc.AlertService = (*DB)(nil)

// Alerts read only counting fields, ids and times: nothing here decrypts.

const officerAlertColumns = `o.id, o.username, o.role, o.disabled, COALESCE(a.email, ''),
	COALESCE(a.want_new, 1), COALESCE(a.want_reply, 1), COALESCE(a.want_overdue, 1), COALESCE(a.want_digest, 1)`

func scanOfficerAlerts(row interface{ Scan(...any) error }, extra ...any) (formsvc.OfficerAlerts, error) {
	var o formsvc.OfficerAlerts
	var n, r, od, d bool
	dest := append([]any{&o.OfficerID, &o.Username, &o.Role, &o.Disabled, &o.Email, &n, &r, &od, &d}, extra...)
	if err := row.Scan(dest...); err != nil {
		return o, err
	}
	o.Wants = map[formsvc.AlertType]bool{formsvc.AlertNew: n, formsvc.AlertReply: r, formsvc.AlertOverdue: od, formsvc.AlertDigest: d}
	return o, nil
}

// OfficerAlerts lists every officer's alert settings by username.
func (db *DB) OfficerAlerts(ctx context.Context) ([]formsvc.OfficerAlerts, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+officerAlertColumns+`
		FROM officers o LEFT JOIN officer_alerts a ON a.officer_id = o.id ORDER BY o.username`)
	if err != nil {
		return nil, fmt.Errorf("list alert settings: %w", err)
	}
	defer rows.Close()
	var out []formsvc.OfficerAlerts
	for rows.Next() {
		o, err := scanOfficerAlerts(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OfficerAlertsByID reads one officer's alert settings.
func (db *DB) OfficerAlertsByID(ctx context.Context, id int64) (formsvc.OfficerAlerts, error) {
	o, err := scanOfficerAlerts(db.read.QueryRowContext(ctx, `SELECT `+officerAlertColumns+`
		FROM officers o LEFT JOIN officer_alerts a ON a.officer_id = o.id WHERE o.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errNoOfficer()
	}
	if err != nil {
		return o, fmt.Errorf("read alert settings: %w", err)
	}
	return o, nil
}

// upsertOfficerAlerts sets columns of an officer's settings row, making
// it (with every type wanted) if there is none.
func (db *DB) upsertOfficerAlerts(ctx context.Context, id int64, set map[string]any) error {
	cols := make([]string, 0, len(set))
	vals := make([]any, 0, len(set)+2)
	upd := make([]string, 0, len(set))
	for _, c := range []string{"email", "want_new", "want_reply", "want_overdue", "want_digest"} {
		if v, ok := set[c]; ok {
			cols = append(cols, c)
			vals = append(vals, v)
			upd = append(upd, c+" = excluded."+c)
		}
	}
	err := db.write(ctx, func(w *wtx) error {
		var one int
		if err := w.QueryRow(`SELECT 1 FROM officers WHERE id = ?`, id).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errNoOfficer()
			}
			return err
		}
		args := append([]any{id}, vals...)
		args = append(args, w.timestamp())
		_, err := w.Exec(`INSERT INTO officer_alerts (officer_id, `+strings.Join(cols, ", ")+`, updated_at)
			VALUES (?`+strings.Repeat(", ?", len(cols))+`, ?)
			ON CONFLICT (officer_id) DO UPDATE SET `+strings.Join(upd, ", ")+`, updated_at = excluded.updated_at`, args...)
		return err
	})
	if formsvc.ErrorCode(err) == formsvc.ENOTFOUND {
		return err
	}
	if err != nil {
		return fmt.Errorf("set alert settings: %w", err)
	}
	return nil
}

// SetAlertEmail sets the address an officer's alerts go to ("" for none).
// The caller checks it with formsvc.ParseEmail.
func (db *DB) SetAlertEmail(ctx context.Context, officerID int64, email string) error {
	return db.upsertOfficerAlerts(ctx, officerID, map[string]any{"email": email})
}

// SetAlertWants sets which alert types an officer wants.
func (db *DB) SetAlertWants(ctx context.Context, officerID int64, wants map[formsvc.AlertType]bool) error {
	return db.upsertOfficerAlerts(ctx, officerID, map[string]any{
		"want_new": wants[formsvc.AlertNew], "want_reply": wants[formsvc.AlertReply],
		"want_overdue": wants[formsvc.AlertOverdue], "want_digest": wants[formsvc.AlertDigest]})
}

// Keys of alert_state.
const (
	stateDigestDay = "digest_day"
	stateOverdueAt = "overdue_at"
)

func formatOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeFormat)
}

func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}

// AlertState reads the dispatcher's memory.
func (db *DB) AlertState(ctx context.Context) (formsvc.AlertState, error) {
	st := formsvc.AlertState{Cursors: map[string]formsvc.AlertCursor{}}
	rows, err := db.read.QueryContext(ctx, `SELECT recipient, new_after, new_at, reply_after, reply_at FROM alert_cursors`)
	if err != nil {
		return st, fmt.Errorf("read alert cursors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c formsvc.AlertCursor
		var newAt, replyAt string
		if err := rows.Scan(&c.Recipient, &c.NewAfter, &newAt, &c.ReplyAfter, &replyAt); err != nil {
			return st, err
		}
		if c.NewAt, err = parseOptTime(newAt); err != nil {
			return st, err
		}
		if c.ReplyAt, err = parseOptTime(replyAt); err != nil {
			return st, err
		}
		st.Cursors[c.Recipient] = c
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows.Close()
	var overdueAt string
	for key, dst := range map[string]*string{stateDigestDay: &st.DigestDay, stateOverdueAt: &overdueAt} {
		err := db.read.QueryRowContext(ctx, `SELECT value FROM alert_state WHERE key = ?`, key).Scan(dst)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return st, fmt.Errorf("read alert state: %w", err)
		}
	}
	st.OverdueAt, err = parseOptTime(overdueAt)
	return st, err
}

// MaxIDs returns the newest submission's and message's ids (0 if none).
func (db *DB) MaxIDs(ctx context.Context) (submission, message int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT (SELECT COALESCE(max(id), 0) FROM submissions),
		(SELECT COALESCE(max(id), 0) FROM messages)`).Scan(&submission, &message)
	if err != nil {
		return 0, 0, fmt.Errorf("read newest ids: %w", err)
	}
	return submission, message, nil
}

func kindList(kinds []formsvc.Kind) (string, []any) {
	ph := make([]string, len(kinds))
	args := make([]any, len(kinds))
	for i, k := range kinds {
		ph[i], args[i] = "?", string(k)
	}
	return "(" + strings.Join(ph, ", ") + ")", args
}

// since runs a count of new rows (kind, count, oldest time) between
// afterID (excluded) and the table's newest id when it is read. Ids are
// given in commit order by the one writer, so once the newest id is
// visible every smaller one is: the count cannot miss a row that commits
// later, which has a greater id.
func (db *DB) since(ctx context.Context, table string, afterID int64, q string, args ...any) (formsvc.Since, error) {
	s := formsvc.Since{Counts: map[formsvc.Kind]int{}}
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM `+table).Scan(&s.MaxID); err != nil {
		return s, fmt.Errorf("read newest %s: %w", table, err)
	}
	s.MaxID = max(s.MaxID, afterID)
	if s.MaxID == afterID {
		return s, nil
	}
	rows, err := db.read.QueryContext(ctx, q, append([]any{afterID, s.MaxID}, args...)...)
	if err != nil {
		return s, fmt.Errorf("count new %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k formsvc.Kind
		var n int
		var oldest string
		if err := rows.Scan(&k, &n, &oldest); err != nil {
			return s, err
		}
		t, err := parseTime(oldest)
		if err != nil {
			return s, err
		}
		s.Counts[k] = n
		if s.Oldest.IsZero() || t.Before(s.Oldest) {
			s.Oldest = t
		}
	}
	return s, rows.Err()
}

// NewSubmissions counts the submissions of kinds after afterID.
func (db *DB) NewSubmissions(ctx context.Context, afterID int64, kinds []formsvc.Kind) (formsvc.Since, error) {
	in, args := kindList(kinds)
	return db.since(ctx, "submissions", afterID, `SELECT kind, count(*), min(created_at) FROM submissions
		WHERE id > ? AND id <= ? AND kind IN `+in+` GROUP BY kind`, args...)
}

// ReporterMessages counts the reporters' messages after afterID on
// records of kinds, only those assigned to assignedTo unless it is 0.
func (db *DB) ReporterMessages(ctx context.Context, afterID int64, kinds []formsvc.Kind, assignedTo int64) (formsvc.Since, error) {
	in, args := kindList(kinds)
	q := `SELECT s.kind, count(*), min(m.created_at) FROM messages m JOIN submissions s ON s.id = m.submission_id
		WHERE m.id > ? AND m.id <= ? AND m.author = 'reporter' AND s.kind IN ` + in
	if assignedTo != 0 {
		q += ` AND s.assigned_to = ?`
		args = append(args, assignedTo)
	}
	return db.since(ctx, "messages", afterID, q+` GROUP BY s.kind`, args...)
}

// NewlyOverdue lists the open records with no action since before that
// were never alerted as overdue.
func (db *DB) NewlyOverdue(ctx context.Context, before time.Time) ([]formsvc.OverdueCase, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.kind, COALESCE(s.assigned_to, 0) FROM submissions s
		WHERE `+openStatus+` AND s.updated_at < ?
		AND NOT EXISTS (SELECT 1 FROM alert_overdue a WHERE a.submission_id = s.id) ORDER BY s.id`,
		before.UTC().Format(TimeFormat))
	if err != nil {
		return nil, fmt.Errorf("find overdue: %w", err)
	}
	defer rows.Close()
	var out []formsvc.OverdueCase
	for rows.Next() {
		var c formsvc.OverdueCase
		if err := rows.Scan(&c.ID, &c.Kind, &c.AssignedTo); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DigestCounts counts, per kind: open records by status, records received
// since newSince, open records overdue (no action since overdueBefore).
func (db *DB) DigestCounts(ctx context.Context, kinds []formsvc.Kind, newSince, overdueBefore time.Time) ([]formsvc.DigestCounts, error) {
	status, err := db.StatusCounts(ctx, kinds)
	if err != nil {
		return nil, err
	}
	in, args := kindList(kinds)
	count := func(q string, arg string) (map[formsvc.Kind]int, error) {
		rows, err := db.read.QueryContext(ctx, q, append([]any{arg}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("digest counts: %w", err)
		}
		defer rows.Close()
		m := map[formsvc.Kind]int{}
		for rows.Next() {
			var k formsvc.Kind
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				return nil, err
			}
			m[k] = n
		}
		return m, rows.Err()
	}
	fresh, err := count(`SELECT kind, count(*) FROM submissions WHERE created_at >= ? AND kind IN `+in+` GROUP BY kind`,
		newSince.UTC().Format(TimeFormat))
	if err != nil {
		return nil, err
	}
	overdue, err := count(`SELECT s.kind, count(*) FROM submissions s WHERE s.updated_at < ? AND `+openStatus+` AND s.kind IN `+in+` GROUP BY s.kind`,
		overdueBefore.UTC().Format(TimeFormat))
	if err != nil {
		return nil, err
	}
	var out []formsvc.DigestCounts
	for _, k := range kinds {
		d := formsvc.DigestCounts{Kind: k, New: fresh[k], Overdue: overdue[k]}
		for _, st := range db.spec.Kind(k).Statuses {
			if st.Open {
				d.Open = append(d.Open, formsvc.StatusCount{Status: st.Code, N: status[k][st.Code]})
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// CommitAlertPlan stores a run's outbox rows with the cursors and marks
// that keep them from being made again, in one transaction: all of it or
// nothing. ErrAlertStale if another process moved the state meanwhile.
func (db *DB) CommitAlertPlan(ctx context.Context, p formsvc.AlertPlan) error {
	type row struct {
		data []byte
		a    formsvc.OutboxAlert
	}
	rows := make([]row, len(p.Outbox))
	for i, a := range p.Outbox {
		b, err := json.Marshal(a.Data)
		if err != nil {
			return fmt.Errorf("encode alert: %w", err)
		}
		rows[i] = row{b, a}
	}
	err := db.write(ctx, func(w *wtx) error {
		for _, c := range p.Cursors {
			var res sql.Result
			var err error
			if c.Exists {
				res, err = w.Exec(`UPDATE alert_cursors SET new_after = ?, new_at = ?, reply_after = ?, reply_at = ?
					WHERE recipient = ? AND new_after = ? AND new_at = ? AND reply_after = ? AND reply_at = ?`,
					c.New.NewAfter, formatOptTime(c.New.NewAt), c.New.ReplyAfter, formatOptTime(c.New.ReplyAt),
					c.Old.Recipient, c.Old.NewAfter, formatOptTime(c.Old.NewAt), c.Old.ReplyAfter, formatOptTime(c.Old.ReplyAt))
			} else {
				res, err = w.Exec(`INSERT INTO alert_cursors (recipient, new_after, new_at, reply_after, reply_at)
					VALUES (?, ?, ?, ?, ?) ON CONFLICT (recipient) DO NOTHING`,
					c.New.Recipient, c.New.NewAfter, formatOptTime(c.New.NewAt), c.New.ReplyAfter, formatOptTime(c.New.ReplyAt))
			}
			if err != nil {
				return fmt.Errorf("move alert cursor: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return formsvc.ErrAlertStale
			}
		}
		for key, ch := range map[string][2]string{
			stateDigestDay: {p.OldDigest, p.DigestDay},
			stateOverdueAt: {formatOptTime(p.OldOverdue), formatOptTime(p.OverdueAt)},
		} {
			if ch[1] == "" {
				continue
			}
			var res sql.Result
			var err error
			if ch[0] == "" {
				res, err = w.Exec(`INSERT INTO alert_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, ch[1])
			} else {
				res, err = w.Exec(`UPDATE alert_state SET value = ? WHERE key = ? AND value = ?`, ch[1], key, ch[0])
			}
			if err != nil {
				return fmt.Errorf("alert state: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return formsvc.ErrAlertStale
			}
		}
		at := w.timestamp()
		for _, id := range p.Overdue {
			// A record purged meanwhile is simply not marked.
			if _, err := w.Exec(`INSERT INTO alert_overdue (submission_id, at) SELECT ?, ?
				WHERE EXISTS (SELECT 1 FROM submissions WHERE id = ?) ON CONFLICT DO NOTHING`, id, at, id); err != nil {
				return fmt.Errorf("mark overdue: %w", err)
			}
		}
		for _, r := range rows {
			var officer, kind any
			if r.a.OfficerID != 0 {
				officer = r.a.OfficerID
			}
			if r.a.Kind != "" {
				kind = string(r.a.Kind)
			}
			created := r.a.CreatedAt.UTC().Format(TimeFormat)
			if _, err := w.Exec(`INSERT INTO alert_outbox (channel, officer_id, kind, type, data, created_at, next_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, r.a.Channel, officer, kind, string(r.a.Type), string(r.data), created, created); err != nil {
				return fmt.Errorf("queue alert: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, formsvc.ErrAlertStale) {
		return formsvc.ErrAlertStale
	}
	return err
}

// DueAlerts lists pending alerts due at now, oldest first, each with its
// recipient's settings as they are now.
func (db *DB) DueAlerts(ctx context.Context, now time.Time, limit int) ([]formsvc.OutboxAlert, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT x.id, x.channel, COALESCE(x.kind, ''), x.type, x.data, x.created_at,
			x.next_at, x.attempts, COALESCE(x.officer_id, 0), COALESCE(o.username, ''), COALESCE(o.role, ''), COALESCE(o.disabled, 0),
			COALESCE(a.email, ''), COALESCE(a.want_new, 1), COALESCE(a.want_reply, 1), COALESCE(a.want_overdue, 1), COALESCE(a.want_digest, 1)
		FROM alert_outbox x
		LEFT JOIN officers o ON o.id = x.officer_id
		LEFT JOIN officer_alerts a ON a.officer_id = x.officer_id
		WHERE x.state = 'pending' AND x.next_at <= ? ORDER BY x.next_at, x.id LIMIT ?`, now.UTC().Format(TimeFormat), limit)
	if err != nil {
		return nil, fmt.Errorf("read due alerts: %w", err)
	}
	defer rows.Close()
	var out []formsvc.OutboxAlert
	for rows.Next() {
		var a formsvc.OutboxAlert
		var data, created, next string
		var n, r, od, d bool
		o := &a.Recipient
		if err := rows.Scan(&a.ID, &a.Channel, &a.Kind, &a.Type, &data, &created, &next, &a.Attempts,
			&o.OfficerID, &o.Username, &o.Role, &o.Disabled, &o.Email, &n, &r, &od, &d); err != nil {
			return nil, err
		}
		a.OfficerID = o.OfficerID
		o.Wants = map[formsvc.AlertType]bool{formsvc.AlertNew: n, formsvc.AlertReply: r, formsvc.AlertOverdue: od, formsvc.AlertDigest: d}
		if err := json.Unmarshal([]byte(data), &a.Data); err != nil {
			return nil, fmt.Errorf("decode alert %d: %w", a.ID, err)
		}
		if a.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if a.NextAt, err = parseTime(next); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// insertAudit appends to the audit log inside a write (see Audit).
func insertAudit(w *wtx, e formsvc.AuditEntry) error {
	e = e.Clipped()
	var officer any
	if e.OfficerID != 0 {
		officer = e.OfficerID
	}
	at := e.At
	if at.IsZero() {
		at = w.Now()
	}
	_, err := w.Exec(`INSERT INTO audit_log (at, officer_id, username, action, target, detail)
		VALUES (?, ?, ?, ?, ?, ?)`, at.UTC().Format(TimeFormat), officer, e.Username, e.Action, e.Target, e.Detail)
	return err
}

// maxAlertError bounds the failure reason kept with an alert.
const maxAlertError = 300

// FinishAlerts records how a round's attempts to send pending alerts
// ended, with their audit entries, in one transaction (one fsync for the
// round). A row no longer pending (another process finished it) is left
// as it is, without an audit entry.
func (db *DB) FinishAlerts(ctx context.Context, results []formsvc.AlertResult) error {
	if len(results) == 0 {
		return nil
	}
	err := db.write(ctx, func(w *wtx) error {
		for _, r := range results {
			var done any
			if r.State != formsvc.OutboxPending {
				done = r.At.UTC().Format(TimeFormat)
			}
			next := r.NextAt
			if next.IsZero() {
				next = r.At
			}
			res, err := w.Exec(`UPDATE alert_outbox SET state = ?, attempts = ?, next_at = ?, last_error = ?, done_at = ?
				WHERE id = ? AND state = 'pending'`, r.State, r.Attempts, next.UTC().Format(TimeFormat),
				formsvc.Clip(r.Error, maxAlertError), done, r.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 && r.Audit != nil {
				if err := insertAudit(w, *r.Audit); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish alerts: %w", err)
	}
	return nil
}

// AlertStatus sums up the outbox for the dashboard.
func (db *DB) AlertStatus(ctx context.Context, droppedSince time.Time) (formsvc.AlertStatus, error) {
	var s formsvc.AlertStatus
	var last string
	err := db.read.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'pending' AND attempts > 0), 0),
			COALESCE(SUM(state = 'dropped' AND done_at >= ?1), 0),
			COALESCE(MAX(CASE WHEN state = 'dropped' THEN done_at END), ''),
			COALESCE((SELECT last_error FROM alert_outbox WHERE last_error != '' AND (state = 'pending' OR (state = 'dropped' AND done_at >= ?1)) ORDER BY id DESC LIMIT 1), '')
		FROM alert_outbox WHERE state = 'pending' OR (state = 'dropped' AND done_at >= ?1)`,
		droppedSince.UTC().Format(TimeFormat)).Scan(&s.Pending, &s.Failing, &s.Dropped, &last, &s.LastError)
	if err != nil {
		return s, fmt.Errorf("read alert status: %w", err)
	}
	s.LastDropped, err = parseOptTime(last)
	return s, err
}
