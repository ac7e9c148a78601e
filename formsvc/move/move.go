// Package move copies a commune's SQLite database into PostgreSQL, the
// step up to a province's shared store (issue 18): every record, message,
// photo, case history, officer (password hashes and second factors), alert
// setting and the audit log, row for row with the same ids, so that every
// sealed value still opens in its place with the same key file and every
// receipt still finds its record.
//
// It is safe to run again: rows already there are left as they are, and
// the copy is then checked table by table (count and a SHA-256 over the
// rows in key order, each value in one canonical form on both sides). A
// table that differs is reported and nothing is claimed.
package move

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// tables are copied in this order (parents before children). Left out:
// the schema's own bookkeeping (schema_migrations, keyed_migrations,
// key_check: the target keeps its own, made when it was opened with the
// same key), the workflow table (made from forms.yaml at every start),
// sessions (officers log in again after a move) and ref_counters (set
// from the copied references).
var tables = []string{
	"officers", "recovery_codes", "settings",
	"submissions", "submission_services", "photos", "messages", "status_history", "notes",
	"priority_history", "referrals", "audit_log",
	"officer_alerts", "alert_cursors", "alert_state", "alert_overdue", "alert_outbox",
}

// sqliteTime is how the SQLite store writes times (UTC).
const sqliteTime = "2006-01-02T15:04:05.000Z"

// Table is what was copied of one table and how it was checked.
type Table struct {
	Name     string
	Source   int    // rows in SQLite
	Copied   int    // rows inserted now (0 when run again)
	Target   int    // rows in PostgreSQL after the copy
	Checksum string // the same on both sides, or the copy is refused
}

type column struct{ name, typ string }

// sqliteOnly are the columns PostgreSQL has and SQLite has not, with the
// SQLite expression that gives their value: a support request's services
// keep the order they were stored in.
var sqliteOnly = map[string]string{
	"submission_services.position": `(SELECT count(*) FROM submission_services x
		WHERE x.submission_id = submission_services.submission_id AND x.rowid < submission_services.rowid)`,
}

// Copy copies src (the SQLite file, opened read-only by the caller) into
// dst (a PostgreSQL database the postgres store has already opened once
// with the same key, so its schema is there), in one transaction, then
// checks every table. The returned tables are in copy order.
func Copy(ctx context.Context, src *sql.DB, dst *pgxpool.Pool) ([]Table, error) {
	var out []Table
	err := pgx.BeginFunc(ctx, dst, func(tx pgx.Tx) error {
		for _, name := range tables {
			cols, key, err := columns(ctx, tx, name)
			if err != nil {
				return err
			}
			t := Table{Name: name}
			names := make([]string, len(cols))
			ph := make([]string, len(cols))
			for i, c := range cols {
				names[i], ph[i] = c.name, "$"+strconv.Itoa(i+1)
			}
			q := `INSERT INTO ` + name + ` (` + strings.Join(names, ", ") + `) OVERRIDING SYSTEM VALUE VALUES (` + strings.Join(ph, ", ") + `)
				ON CONFLICT DO NOTHING`
			// One row in memory at a time: a photos table of gigabytes
			// moves in the memory of its largest photo.
			err = eachSQLite(ctx, src, name, cols, key, func(r []any) error {
				t.Source++
				tag, err := tx.Exec(ctx, q, r...)
				if err != nil {
					return fmt.Errorf("chép bảng %s: %w", name, err)
				}
				t.Copied += int(tag.RowsAffected())
				return nil
			})
			if err != nil {
				return err
			}
			if hasColumn(cols, "id") {
				if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT COALESCE(max(id), 0) FROM `+name+`), 1))`, name); err != nil {
					return fmt.Errorf("bảng %s: đặt lại bộ đếm id: %w", name, err)
				}
			}
			out = append(out, t)
		}
		// References go on from the highest copied one of each kind and year.
		_, err := tx.Exec(ctx, `INSERT INTO ref_counters (kind, ref_year, last_seq)
			SELECT kind, ref_year, max(ref_seq) FROM submissions GROUP BY kind, ref_year
			ON CONFLICT (kind, ref_year) DO UPDATE SET last_seq = GREATEST(ref_counters.last_seq, excluded.last_seq)`)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, Verify(ctx, src, dst, out)
}

// Verify compares every table's count and checksum on both sides, filling
// in Target and Checksum; a difference is an error naming the tables.
func Verify(ctx context.Context, src *sql.DB, dst *pgxpool.Pool, ts []Table) error {
	var bad []string
	for i := range ts {
		t := &ts[i]
		cols, key, err := columns(ctx, dst, t.Name)
		if err != nil {
			return err
		}
		a, b := newSum(cols), newSum(cols)
		if err := eachSQLite(ctx, src, t.Name, cols, key, a.add); err != nil {
			return err
		}
		if err := eachPostgres(ctx, dst, t.Name, cols, key, b.add); err != nil {
			return err
		}
		t.Source, t.Target = a.n, b.n
		t.Checksum = a.hex()
		if a.n != b.n || a.hex() != b.hex() {
			bad = append(bad, fmt.Sprintf("%s (SQLite %d dòng, PostgreSQL %d dòng)", t.Name, a.n, b.n))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("bản chép khác bản gốc ở: %s. Cơ sở dữ liệu đích đã có dữ liệu khác; hãy chép vào một cơ sở dữ liệu mới", strings.Join(bad, "; "))
	}
	return nil
}

// queryer is what columns needs of a pool or a transaction.
type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// columns lists a PostgreSQL table's columns and its primary key.
func columns(ctx context.Context, q queryer, table string) ([]column, []string, error) {
	rows, err := q.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, nil, err
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.name, &c.typ)
	})
	if err != nil || len(cols) == 0 {
		return nil, nil, fmt.Errorf("bảng %s của PostgreSQL: %v", table, err)
	}
	rows, err = q.Query(ctx, `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attnum`, table)
	if err != nil {
		return nil, nil, err
	}
	key, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(key) == 0 {
		return nil, nil, fmt.Errorf("bảng %s của PostgreSQL không có khóa chính: %v", table, err)
	}
	return cols, key, nil
}

func hasColumn(cols []column, name string) bool {
	for _, c := range cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// eachSQLite calls fn with a table's rows in key order, one at a time,
// each value converted to the target column's type.
func eachSQLite(ctx context.Context, src *sql.DB, table string, cols []column, key []string, fn func([]any) error) error {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
		if expr, ok := sqliteOnly[table+"."+c.name]; ok {
			names[i] = expr
		}
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+table+` ORDER BY `+strings.Join(key, ", "))
	if err != nil {
		return fmt.Errorf("đọc bảng %s của SQLite: %w", table, err)
	}
	defer rows.Close()
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	row := make([]any, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols {
			if row[i], err = convert(raw[i], c.typ); err != nil {
				return fmt.Errorf("bảng %s, cột %s: %w", table, c.name, err)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// convert turns a SQLite value into the PostgreSQL column type's: stored
// times (text; an empty one is "never" in alert cursors) into time.Time or nil,
// 0/1 into booleans.
func convert(v any, typ string) (any, error) {
	if b, ok := v.([]byte); ok && typ != "bytea" {
		v = string(b)
	}
	switch {
	case v == nil:
		return nil, nil
	case strings.HasPrefix(typ, "timestamp"):
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("thời điểm không phải chữ: %v", v)
		}
		if s == "" {
			return nil, nil
		}
		t, err := time.Parse(sqliteTime, s)
		if err != nil {
			if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return nil, fmt.Errorf("thời điểm %q: %w", s, err)
			}
		}
		return t.UTC(), nil
	case typ == "boolean":
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case bool:
			return x, nil
		}
		return nil, fmt.Errorf("giá trị đúng/sai %v", v)
	case typ == "bytea":
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	}
	return v, nil
}

// eachPostgres calls fn with a table's rows in key order, one at a time.
func eachPostgres(ctx context.Context, dst *pgxpool.Pool, table string, cols []column, key []string, fn func([]any) error) error {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	rows, err := dst.Query(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+table+` ORDER BY `+strings.Join(key, ", "))
	if err != nil {
		return fmt.Errorf("đọc bảng %s của PostgreSQL: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sum is a count and a SHA-256 over a table's rows, each value in one
// canonical form whichever side it was read from.
type sum struct {
	cols []column
	h    hash.Hash
	n    int
}

func newSum(cols []column) *sum { return &sum{cols: cols, h: sha256.New()} }

func (s *sum) add(row []any) error {
	for i, v := range row {
		fmt.Fprintf(s.h, "%s=%s\x1f", s.cols[i].name, canonical(v))
	}
	s.h.Write([]byte{'\n'})
	s.n++
	return nil
}

func (s *sum) hex() string { return hex.EncodeToString(s.h.Sum(nil)) }

func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "∅"
	case time.Time:
		return x.UTC().Format(sqliteTime)
	case []byte:
		return hex.EncodeToString(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// Summary writes the tables as the command prints them.
func Summary(ts []Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s %10s %10s %10s  %s\n", "bảng", "SQLite", "đã chép", "PostgreSQL", "SHA-256 (khớp hai bên)")
	for _, t := range ts {
		fmt.Fprintf(&b, "%-20s %10d %10d %10d  %s\n", t.Name, t.Source, t.Copied, t.Target, t.Checksum[:16])
	}
	return b.String()
}
