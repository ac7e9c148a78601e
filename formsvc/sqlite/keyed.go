package sqlite

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// ErrWrongKey is returned by Open when the key does not open the
// database's records: another database's key, or a new one made by
// mistake. Nothing was changed.
var ErrWrongKey = errors.New("sqlite: the key does not belong to this database")

// A sealedColumn is a column that holds sealed values, and how to read it.
type sealedColumn struct {
	table, column string
	// rows selects the row id, then the place's row, record id, kind and
	// receipt hash (see place), and the sealed value, of the rows after a
	// row id, in id order, at most a limit; NULL values are left out.
	rows string
	// legacy is the additional data of values sealed before they were
	// bound to their place (kind only, or a constant): see reseal.
	legacy func(formsvc.Kind) []byte
	// batch bounds the rows held in memory at once (photos are large).
	batch int
}

var sealedColumns = []sealedColumn{
	{"submissions", "content", `SELECT id, id, id, kind, receipt_hash, content FROM submissions
		WHERE id > ? ORDER BY id LIMIT ?`,
		func(k formsvc.Kind) []byte { return []byte("submission content:" + string(k)) }, 512},
	{"photos", "data", `SELECT p.id, (SELECT count(*) FROM photos q WHERE q.submission_id = p.submission_id AND q.id < p.id),
			0, s.kind, s.receipt_hash, p.data FROM photos p JOIN submissions s ON s.id = p.submission_id
		WHERE p.id > ? ORDER BY p.id LIMIT ?`,
		func(k formsvc.Kind) []byte { return []byte("submission photo:" + string(k)) }, 8},
	{"messages", "body", `SELECT m.id, m.id, m.submission_id, s.kind, NULL, m.body FROM messages m JOIN submissions s ON s.id = m.submission_id
		WHERE m.id > ? ORDER BY m.id LIMIT ?`,
		func(k formsvc.Kind) []byte { return []byte("message:" + string(k)) }, 512},
	{"notes", "body", `SELECT n.id, n.id, n.submission_id, s.kind, NULL, n.body FROM notes n JOIN submissions s ON s.id = n.submission_id
		WHERE n.id > ? ORDER BY n.id LIMIT ?`,
		func(k formsvc.Kind) []byte { return []byte("note:" + string(k)) }, 512},
	{"status_history", "note", `SELECT h.id, h.id, h.submission_id, s.kind, NULL, h.note FROM status_history h JOIN submissions s ON s.id = h.submission_id
		WHERE h.id > ? ORDER BY h.id LIMIT ?`,
		func(k formsvc.Kind) []byte { return []byte("status note:" + string(k)) }, 512},
	{"priority_history", "reason", `SELECT h.id, h.id, h.submission_id, s.kind, NULL, h.reason FROM priority_history h JOIN submissions s ON s.id = h.submission_id
		WHERE h.id > ? ORDER BY h.id LIMIT ?`,
		func(k formsvc.Kind) []byte { return []byte("priority reason:" + string(k)) }, 512},
	{"officers", "totp_secret", `SELECT id, id, 0, '', NULL, totp_secret FROM officers
		WHERE id > ? AND totp_secret IS NOT NULL ORDER BY id LIMIT ?`,
		func(formsvc.Kind) []byte { return []byte("totp") }, 512},
}

// sealedRow is one row of a sealedColumn.
type sealedRow struct {
	id int64
	place
	sealed []byte
}

// page reads the rows of c after row id after, through query.
func (c sealedColumn) page(query func(string, ...any) (*sql.Rows, error), after int64) ([]sealedRow, error) {
	rows, err := query(c.rows, after, c.batch)
	if err != nil {
		return nil, fmt.Errorf("read %s.%s: %w", c.table, c.column, err)
	}
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		r := sealedRow{place: place{Table: c.table, Column: c.column}}
		if err := rows.Scan(&r.id, &r.Row, &r.Submission, &r.Kind, &r.Receipt, &r.sealed); err != nil {
			return nil, fmt.Errorf("read %s.%s: %w", c.table, c.column, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// keyed runs the steps that need the key, each once, in one transaction
// on the write connection. Like the SQL migrations it runs in Open,
// before the writer starts, so it is not counted among the writer's
// commits; a process that opens the database meanwhile waits for the
// lock, then finds the steps done.
func (db *DB) keyed() error {
	tx, err := db.wdb.BeginTx(writeCtx, nil)
	if err != nil {
		return fmt.Errorf("keyed migrations: begin: %w", err)
	}
	defer tx.Rollback()
	w := &wtx{tx: tx, db: db, now: db.now()}
	var check []byte
	err = w.QueryRow(`SELECT value FROM key_check WHERE id = 1`).Scan(&check)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read key check: %w", err)
	}
	if check != nil && !hmac.Equal(check, db.keys.Check()) {
		return fmt.Errorf("%w: its check value differs", ErrWrongKey)
	}
	if err := db.reseal(w); err != nil {
		return err
	}
	if check == nil {
		if err := db.recordKey(w); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("keyed migrations: commit: %w", err)
	}
	return nil
}

// resealName records in keyed_migrations that every sealed value was
// bound to its place.
const resealName = "seal each value for its own place"

// reseal binds the values sealed before places existed (their additional
// data named only the kind of record) to their places: each is opened the
// old way and sealed again for its row, in the transaction that records
// the step as done. A value that does not open the old way (damaged, or
// already moved) is left as it is: it will not open in its place either,
// and exports count it as unreadable. If values exist and none opens, the
// key is not this database's: nothing changes and Open fails.
func (db *DB) reseal(w *wtx) error {
	var done int
	if err := w.QueryRow(`SELECT count(*) FROM keyed_migrations WHERE name = ?`, resealName).Scan(&done); err != nil {
		return fmt.Errorf("reseal: %w", err)
	}
	if done > 0 {
		return nil
	}
	opened, failed := 0, 0
	for _, c := range sealedColumns {
		update := `UPDATE ` + c.table + ` SET ` + c.column + ` = ? WHERE id = ?`
		for after := int64(0); ; {
			rows, err := c.page(w.Query, after)
			if err != nil {
				return fmt.Errorf("reseal: %w", err)
			}
			if len(rows) == 0 {
				break
			}
			for _, r := range rows {
				after = r.id
				plain, err := db.keys.Open(r.sealed, c.legacy(r.Kind))
				if err != nil {
					if _, err := db.open(r.sealed, r.place); err == nil {
						opened++ // already in its place
					} else {
						failed++
					}
					continue
				}
				opened++
				if _, err := w.Exec(update, db.seal(plain, r.place), r.id); err != nil {
					return fmt.Errorf("reseal %s.%s of row %d: %w", c.table, c.column, r.id, err)
				}
			}
		}
	}
	if failed > 0 && opened == 0 {
		return fmt.Errorf("%w: none of %d sealed values opens with it", ErrWrongKey, failed)
	}
	detail := fmt.Sprintf("%d values sealed again, %d left as they were (they did not open)", opened, failed)
	if _, err := w.Exec(`INSERT INTO keyed_migrations (name, applied_at, detail) VALUES (?, ?, ?)`,
		resealName, w.timestamp(), detail); err != nil {
		return fmt.Errorf("reseal: %w", err)
	}
	return nil
}

// verifyKey refuses a key that is not the database's before any
// migration runs, so that a wrong key changes nothing, not even the
// schema: by the check value if the database has one, else by its sealed
// values (sealed either way, before or after they were bound to their
// places), the first few of each column. A new database passes.
// keyed checks again, in the transaction that changes things.
func (db *DB) verifyKey(ctx context.Context) error {
	query := func(q string, args ...any) (*sql.Rows, error) { return db.wdb.QueryContext(ctx, q, args...) }
	exists := func(table string) (bool, error) {
		var n int
		err := db.wdb.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n)
		return n > 0, err
	}
	if ok, err := exists("key_check"); err != nil {
		return fmt.Errorf("read key check: %w", err)
	} else if ok {
		var check []byte
		err := db.wdb.QueryRowContext(ctx, `SELECT value FROM key_check WHERE id = 1`).Scan(&check)
		if err == nil {
			if !hmac.Equal(check, db.keys.Check()) {
				return fmt.Errorf("%w: its check value differs", ErrWrongKey)
			}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read key check: %w", err)
		}
	}
	found := 0
	for _, c := range sealedColumns {
		ok, err := exists(c.table)
		if err != nil {
			return fmt.Errorf("key check: %w", err)
		}
		if !ok {
			continue
		}
		c.batch = min(c.batch, 16)
		rows, err := c.page(query, 0)
		if err != nil {
			return fmt.Errorf("key check: %w", err)
		}
		for _, r := range rows {
			found++
			if _, err := db.keys.Open(r.sealed, c.legacy(r.Kind)); err == nil {
				return nil
			}
			if _, err := db.open(r.sealed, r.place); err == nil {
				return nil
			}
		}
	}
	if found > 0 {
		return fmt.Errorf("%w: none of %d sealed values tried opens with it", ErrWrongKey, found)
	}
	return nil
}

// recordKey stores the key's check value in a database that has none: a
// new one, or one from before the check. The key must open a sealed value
// if there is any (the first few of each column are tried: one damaged
// value does not make a key wrong).
func (db *DB) recordKey(w *wtx) error {
	found := 0
	for _, c := range sealedColumns {
		c.batch = min(c.batch, 16)
		rows, err := c.page(w.Query, 0)
		if err != nil {
			return fmt.Errorf("key check: %w", err)
		}
		for _, r := range rows {
			found++
			if _, err := db.open(r.sealed, r.place); err == nil {
				return db.insertCheck(w)
			}
		}
	}
	if found > 0 {
		return fmt.Errorf("%w: none of %d sealed values tried opens with it", ErrWrongKey, found)
	}
	return db.insertCheck(w)
}

func (db *DB) insertCheck(w *wtx) error {
	if _, err := w.Exec(`INSERT INTO key_check (id, value, created_at) VALUES (1, ?, ?)`, db.keys.Check(), w.timestamp()); err != nil {
		return fmt.Errorf("store key check: %w", err)
	}
	return nil
}

// HoldsData reports whether the database at path holds anything a key
// protects or that belongs to one: a key check value, a record or an
// officer's account. A database that does not exist, or holds none of
// these, is new: only for such a database may a new key file be made.
// HoldsData does not create the file.
func HoldsData(ctx context.Context, path string) (bool, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	conn, err := sql.Open("sqlite", FileURI(path)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return false, err
	}
	defer conn.Close()
	for _, table := range []string{"key_check", "submissions", "officers"} {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil {
			return false, fmt.Errorf("read %s: %w", path, err)
		}
		if n == 0 {
			continue
		}
		if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&n); err != nil {
			return false, fmt.Errorf("read %s: %w", path, err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}
