package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

var _ formsvc.AlertService = (*DB)(nil)

// Alerts read only counting fields, ids and times: nothing here decrypts.
//
// Several instances run the dispatcher on one database; an alert is made
// and sent once:
//   - CommitAlertPlan moves the cursors and the state with UPDATEs guarded
//     by the values they replace (and INSERTs that do nothing on a
//     conflict). Under READ COMMITTED a second transaction's UPDATE waits
//     for the first's row lock and then re-checks its condition against
//     the committed row, so of two plans made from the same state one
//     commits and the other gets ErrAlertStale.
//   - DueAlerts claims the rows it hands out (FOR UPDATE SKIP LOCKED, then
//     next_at moved a lease ahead), so another instance does not take them
//     until the lease runs out: a claim of an instance that died is taken
//     again after AlertLease.
//   - New rows are counted up to an id below which no row can still
//     commit (see newest).

// AlertLease is how long a claimed alert is kept from other instances:
// longer than a round's sending takes.
const AlertLease = 10 * time.Minute

// alertTime is the precision alert times are stored at, as in
// formsvc/sqlite (milliseconds), so that both stores plan alike.
func alertTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// optTime is nil for the zero time ("never"), else the time.
func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return alertTime(t)
}

// stateTimeFormat is how alert_state keeps a time (as formsvc/sqlite).
const stateTimeFormat = "2006-01-02T15:04:05.000Z"

func formatStateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(stateTimeFormat)
}

func parseStateTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(stateTimeFormat, s)
}

const officerAlertColumns = `o.id, o.username, o.role, o.disabled, COALESCE(a.email, ''),
	COALESCE(a.want_new, true), COALESCE(a.want_reply, true), COALESCE(a.want_overdue, true), COALESCE(a.want_digest, true)`

func scanOfficerAlerts(row pgx.Row, extra ...any) (formsvc.OfficerAlerts, error) {
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
	rows, err := db.pool.Query(ctx, `SELECT `+officerAlertColumns+`
		FROM officers o LEFT JOIN officer_alerts a ON a.officer_id = o.id ORDER BY o.username`)
	if err != nil {
		return nil, fmt.Errorf("list alert settings: %w", unavailable(err))
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
	o, err := scanOfficerAlerts(db.pool.QueryRow(ctx, `SELECT `+officerAlertColumns+`
		FROM officers o LEFT JOIN officer_alerts a ON a.officer_id = o.id WHERE o.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return o, errNoOfficer()
	}
	if err != nil {
		return o, fmt.Errorf("read alert settings: %w", unavailable(err))
	}
	return o, nil
}

// upsertOfficerAlerts sets columns of an officer's settings row, making
// it (with every type wanted) if there is none.
func (db *DB) upsertOfficerAlerts(ctx context.Context, id int64, set map[string]any) error {
	var cols, ph, upd []string
	args := []any{id}
	for _, c := range []string{"email", "want_new", "want_reply", "want_overdue", "want_digest"} {
		if v, ok := set[c]; ok {
			args = append(args, v)
			cols = append(cols, c)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
			upd = append(upd, c+" = excluded."+c)
		}
	}
	args = append(args, db.now().UTC())
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO officer_alerts (officer_id, `+strings.Join(cols, ", ")+`, updated_at)
			SELECT $1, `+strings.Join(ph, ", ")+fmt.Sprintf(", $%d", len(args))+` WHERE EXISTS (SELECT 1 FROM officers WHERE id = $1)
			ON CONFLICT (officer_id) DO UPDATE SET `+strings.Join(upd, ", ")+`, updated_at = excluded.updated_at`, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errNoOfficer()
		}
		return nil
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

// AlertState reads the dispatcher's memory.
func (db *DB) AlertState(ctx context.Context) (formsvc.AlertState, error) {
	st := formsvc.AlertState{Cursors: map[string]formsvc.AlertCursor{}}
	rows, err := db.pool.Query(ctx, `SELECT recipient, new_after, new_at, reply_after, reply_at FROM alert_cursors`)
	if err != nil {
		return st, fmt.Errorf("read alert cursors: %w", unavailable(err))
	}
	defer rows.Close()
	for rows.Next() {
		var c formsvc.AlertCursor
		var newAt, replyAt *time.Time
		if err := rows.Scan(&c.Recipient, &c.NewAfter, &newAt, &c.ReplyAfter, &replyAt); err != nil {
			return st, err
		}
		c.NewAt, c.ReplyAt = utc(newAt), utc(replyAt)
		st.Cursors[c.Recipient] = c
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	var overdueAt string
	err = db.pool.QueryRow(ctx, `SELECT COALESCE((SELECT value FROM alert_state WHERE key = $1), ''),
		COALESCE((SELECT value FROM alert_state WHERE key = $2), '')`, stateDigestDay, stateOverdueAt).Scan(&st.DigestDay, &overdueAt)
	if err != nil {
		return st, fmt.Errorf("read alert state: %w", unavailable(err))
	}
	st.OverdueAt, err = parseStateTime(overdueAt)
	return st, err
}

// MaxIDs returns the newest submission's and message's ids (0 if none).
func (db *DB) MaxIDs(ctx context.Context) (submission, message int64, err error) {
	if submission, err = db.newest(ctx, "submissions"); err != nil {
		return 0, 0, err
	}
	if message, err = db.newest(ctx, "messages"); err != nil {
		return 0, 0, err
	}
	return submission, message, nil
}

// newRowsLock is the advisory lock (its two-int form: "form", 2) that
// orders the taking of submission and message ids with their reading by
// the dispatcher. Ids come from a sequence, so unlike SQLite's one writer
// a transaction may commit a row with a smaller id after another's row
// with a greater one is visible: a count up to the newest visible id
// could pass over it for good. Every transaction that takes such an id
// holds the lock shared from before it takes the id (nextID); newest
// takes it exclusively, which waits for those to end, and reads max(id)
// then: every id taken later is greater.
const (
	newRowsShared    = `pg_advisory_xact_lock_shared(1718579821, 2)`
	newRowsExclusive = `SELECT pg_advisory_xact_lock(1718579821, 2)`
)

// newest returns the greatest id of table (submissions or messages)
// below which no row can still commit.
func (db *DB) newest(ctx context.Context, table string) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, newRowsExclusive); err != nil {
			return err
		}
		// A statement of its own: its snapshot is taken after the lock.
		return tx.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM `+table).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("read newest %s: %w", table, unavailable(err))
	}
	return id, nil
}

// since counts new rows (kind, count, oldest time) between afterID
// (excluded) and the table's newest id (see newest). q's $1 and $2 are
// those ids.
func (db *DB) since(ctx context.Context, table string, afterID int64, q string, args ...any) (formsvc.Since, error) {
	s := formsvc.Since{Counts: map[formsvc.Kind]int{}}
	newest, err := db.newest(ctx, table)
	if err != nil {
		return s, err
	}
	s.MaxID = max(newest, afterID)
	if s.MaxID == afterID {
		return s, nil
	}
	rows, err := db.pool.Query(ctx, q, append([]any{afterID, s.MaxID}, args...)...)
	if err != nil {
		return s, fmt.Errorf("count new %s: %w", table, unavailable(err))
	}
	defer rows.Close()
	for rows.Next() {
		var k formsvc.Kind
		var n int
		var oldest time.Time
		if err := rows.Scan(&k, &n, &oldest); err != nil {
			return s, err
		}
		s.Counts[k] = n
		if oldest = oldest.UTC(); s.Oldest.IsZero() || oldest.Before(s.Oldest) {
			s.Oldest = oldest
		}
	}
	return s, rows.Err()
}

func kindNames(kinds []formsvc.Kind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// NewSubmissions counts the submissions of kinds after afterID.
func (db *DB) NewSubmissions(ctx context.Context, afterID int64, kinds []formsvc.Kind) (formsvc.Since, error) {
	return db.since(ctx, "submissions", afterID, `SELECT kind, count(*), min(created_at) FROM submissions
		WHERE id > $1 AND id <= $2 AND kind = ANY($3) GROUP BY kind`, kindNames(kinds))
}

// ReporterMessages counts the reporters' messages after afterID on
// records of kinds, only those assigned to assignedTo unless it is 0.
func (db *DB) ReporterMessages(ctx context.Context, afterID int64, kinds []formsvc.Kind, assignedTo int64) (formsvc.Since, error) {
	q := `SELECT s.kind, count(*), min(m.created_at) FROM messages m JOIN submissions s ON s.id = m.submission_id
		WHERE m.id > $1 AND m.id <= $2 AND m.author = 'reporter' AND s.kind = ANY($3)`
	args := []any{kindNames(kinds)}
	if assignedTo != 0 {
		q += ` AND s.assigned_to = $4`
		args = append(args, assignedTo)
	}
	return db.since(ctx, "messages", afterID, q+` GROUP BY s.kind`, args...)
}

// NewlyOverdue lists the open records with no action since before that
// were never alerted as overdue.
func (db *DB) NewlyOverdue(ctx context.Context, before time.Time) ([]formsvc.OverdueCase, error) {
	rows, err := db.pool.Query(ctx, `SELECT s.id, s.kind, COALESCE(s.assigned_to, 0) FROM submissions s
		WHERE `+openStatus+` AND s.updated_at < $1
		AND NOT EXISTS (SELECT 1 FROM alert_overdue a WHERE a.submission_id = s.id) ORDER BY s.id`, alertTime(before))
	if err != nil {
		return nil, fmt.Errorf("find overdue: %w", unavailable(err))
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
	count := func(q string, at time.Time) (map[formsvc.Kind]int, error) {
		rows, err := db.pool.Query(ctx, q, alertTime(at), kindNames(kinds))
		if err != nil {
			return nil, fmt.Errorf("digest counts: %w", unavailable(err))
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
	fresh, err := count(`SELECT kind, count(*) FROM submissions WHERE created_at >= $1 AND kind = ANY($2) GROUP BY kind`, newSince)
	if err != nil {
		return nil, err
	}
	overdue, err := count(`SELECT s.kind, count(*) FROM submissions s WHERE s.updated_at < $1 AND `+openStatus+`
		AND s.kind = ANY($2) GROUP BY s.kind`, overdueBefore)
	if err != nil {
		return nil, err
	}
	var out []formsvc.DigestCounts
	for _, k := range kinds {
		d := formsvc.DigestCounts{Kind: k, New: fresh[k], Overdue: overdue[k]}
		if def := db.spec.Kind(k); def != nil {
			for _, st := range def.Statuses {
				if st.Open {
					d.Open = append(d.Open, formsvc.StatusCount{Status: st.Code, N: status[k][st.Code]})
				}
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// CommitAlertPlan stores a run's outbox rows with the cursors and marks
// that keep them from being made again, in one transaction: all of it or
// nothing. ErrAlertStale if another process moved the state meanwhile
// (also when it is moving it now: the guarded UPDATE waits for it).
func (db *DB) CommitAlertPlan(ctx context.Context, p formsvc.AlertPlan) error {
	data := make([]string, len(p.Outbox))
	for i, a := range p.Outbox {
		b, err := json.Marshal(a.Data)
		if err != nil {
			return fmt.Errorf("encode alert: %w", err)
		}
		data[i] = string(b)
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		for _, c := range p.Cursors {
			var n int64
			if c.Exists {
				tag, err := tx.Exec(ctx, `UPDATE alert_cursors SET new_after = $1, new_at = $2, reply_after = $3, reply_at = $4
					WHERE recipient = $5 AND new_after = $6 AND new_at IS NOT DISTINCT FROM $7::timestamptz
					AND reply_after = $8 AND reply_at IS NOT DISTINCT FROM $9::timestamptz`,
					c.New.NewAfter, optTime(c.New.NewAt), c.New.ReplyAfter, optTime(c.New.ReplyAt),
					c.Old.Recipient, c.Old.NewAfter, optTime(c.Old.NewAt), c.Old.ReplyAfter, optTime(c.Old.ReplyAt))
				if err != nil {
					return fmt.Errorf("move alert cursor: %w", err)
				}
				n = tag.RowsAffected()
			} else {
				tag, err := tx.Exec(ctx, `INSERT INTO alert_cursors (recipient, new_after, new_at, reply_after, reply_at)
					VALUES ($1, $2, $3, $4, $5) ON CONFLICT (recipient) DO NOTHING`,
					c.New.Recipient, c.New.NewAfter, optTime(c.New.NewAt), c.New.ReplyAfter, optTime(c.New.ReplyAt))
				if err != nil {
					return fmt.Errorf("move alert cursor: %w", err)
				}
				n = tag.RowsAffected()
			}
			if n != 1 {
				return formsvc.ErrAlertStale
			}
		}
		for _, ch := range []struct{ key, old, new string }{
			{stateDigestDay, p.OldDigest, p.DigestDay},
			{stateOverdueAt, formatStateTime(p.OldOverdue), formatStateTime(p.OverdueAt)},
		} {
			if ch.new == "" {
				continue
			}
			q := `UPDATE alert_state SET value = $3 WHERE key = $1 AND value = $2`
			if ch.old == "" {
				q = `INSERT INTO alert_state (key, value) SELECT $1, $3 WHERE $2::text = '' ON CONFLICT (key) DO NOTHING`
			}
			tag, err := tx.Exec(ctx, q, ch.key, ch.old, ch.new)
			if err != nil {
				return fmt.Errorf("alert state: %w", err)
			}
			if tag.RowsAffected() != 1 {
				return formsvc.ErrAlertStale
			}
		}
		at := db.now().UTC()
		for _, id := range p.Overdue {
			// A record purged meanwhile is simply not marked.
			if _, err := tx.Exec(ctx, `INSERT INTO alert_overdue (submission_id, at) SELECT $1, $2
				WHERE EXISTS (SELECT 1 FROM submissions WHERE id = $1) ON CONFLICT DO NOTHING`, id, at); err != nil {
				return fmt.Errorf("mark overdue: %w", err)
			}
		}
		for i, a := range p.Outbox {
			var officer, kind any
			if a.OfficerID != 0 {
				officer = a.OfficerID
			}
			if a.Kind != "" {
				kind = string(a.Kind)
			}
			created := alertTime(a.CreatedAt)
			if _, err := tx.Exec(ctx, `INSERT INTO alert_outbox (channel, officer_id, kind, type, data, created_at, next_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6)`, a.Channel, officer, kind, string(a.Type), data[i], created); err != nil {
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

// DueAlerts claims the pending alerts due at now, oldest first, each with
// its recipient's settings as they are now: another instance does not get
// them before now + AlertLease (FinishAlerts sets their next time). An
// alert's NextAt is the time it was due.
func (db *DB) DueAlerts(ctx context.Context, now time.Time, limit int) ([]formsvc.OutboxAlert, error) {
	var out []formsvc.OutboxAlert
	err := db.write(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `WITH due AS (
				SELECT id, next_at FROM alert_outbox WHERE state = 'pending' AND next_at <= $1
				ORDER BY next_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
			claimed AS (
				UPDATE alert_outbox x SET next_at = $3 FROM due WHERE x.id = due.id
				RETURNING x.id, x.channel, x.kind, x.type, x.data, x.created_at, due.next_at AS due_at, x.attempts, x.officer_id)
			SELECT x.id, x.channel, COALESCE(x.kind, ''), x.type, x.data, x.created_at,
				x.due_at, x.attempts, COALESCE(x.officer_id, 0), COALESCE(o.username, ''), COALESCE(o.role, ''), COALESCE(o.disabled, false),
				COALESCE(a.email, ''), COALESCE(a.want_new, true), COALESCE(a.want_reply, true), COALESCE(a.want_overdue, true), COALESCE(a.want_digest, true)
			FROM claimed x
			LEFT JOIN officers o ON o.id = x.officer_id
			LEFT JOIN officer_alerts a ON a.officer_id = x.officer_id
			ORDER BY x.due_at, x.id`, alertTime(now), limit, alertTime(now.Add(AlertLease)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a formsvc.OutboxAlert
			var data string
			var n, r, od, d bool
			o := &a.Recipient
			if err := rows.Scan(&a.ID, &a.Channel, &a.Kind, &a.Type, &data, &a.CreatedAt, &a.NextAt, &a.Attempts,
				&o.OfficerID, &o.Username, &o.Role, &o.Disabled, &o.Email, &n, &r, &od, &d); err != nil {
				return err
			}
			a.OfficerID = o.OfficerID
			a.CreatedAt, a.NextAt = a.CreatedAt.UTC(), a.NextAt.UTC()
			o.Wants = map[formsvc.AlertType]bool{formsvc.AlertNew: n, formsvc.AlertReply: r, formsvc.AlertOverdue: od, formsvc.AlertDigest: d}
			if err := json.Unmarshal([]byte(data), &a.Data); err != nil {
				return fmt.Errorf("decode alert %d: %w", a.ID, err)
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim due alerts: %w", err)
	}
	return out, nil
}

// maxAlertError bounds the failure reason kept with an alert.
const maxAlertError = 300

// FinishAlerts records how a round's attempts to send pending alerts
// ended, with their audit entries, in one transaction. A row no longer
// pending (another process finished it) is left as it is, without an
// audit entry.
func (db *DB) FinishAlerts(ctx context.Context, results []formsvc.AlertResult) error {
	if len(results) == 0 {
		return nil
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		for _, r := range results {
			var done any
			if r.State != formsvc.OutboxPending {
				done = r.At.UTC()
			}
			next := r.NextAt
			if next.IsZero() {
				next = r.At
			}
			tag, err := tx.Exec(ctx, `UPDATE alert_outbox SET state = $1, attempts = $2, next_at = $3, last_error = $4, done_at = $5
				WHERE id = $6 AND state = 'pending'`, r.State, r.Attempts, alertTime(next),
				formsvc.Clip(r.Error, maxAlertError), done, r.ID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 && r.Audit != nil {
				e := r.Audit.Clipped()
				var officer *int64
				if e.OfficerID != 0 {
					officer = &e.OfficerID
				}
				at := e.At
				if at.IsZero() {
					at = db.now()
				}
				if _, err := tx.Exec(ctx, `INSERT INTO audit_log (at, officer_id, username, action, target, detail)
					VALUES ($1, $2, $3, $4, $5, $6)`, at.UTC(), officer, e.Username, e.Action, e.Target, e.Detail); err != nil {
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
	var last *time.Time
	err := db.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'pending' AND attempts > 0),
			count(*) FILTER (WHERE state = 'dropped'), max(done_at) FILTER (WHERE state = 'dropped'),
			COALESCE((SELECT last_error FROM alert_outbox WHERE last_error <> '' AND (state = 'pending' OR (state = 'dropped' AND done_at >= $1))
				ORDER BY id DESC LIMIT 1), '')
		FROM alert_outbox WHERE state = 'pending' OR (state = 'dropped' AND done_at >= $1)`,
		alertTime(droppedSince)).Scan(&s.Pending, &s.Failing, &s.Dropped, &last, &s.LastError)
	if err != nil {
		return s, fmt.Errorf("read alert status: %w", unavailable(err))
	}
	s.LastDropped = utc(last)
	return s, nil
}
