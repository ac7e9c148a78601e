package sqlite

import (
	"context"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

var _ formsvc.AuditService = (*DB)(nil)

// Audit appends an entry to the audit log. The table's triggers refuse
// any change or deletion of its rows.
func (db *DB) Audit(ctx context.Context, e formsvc.AuditEntry) error {
	e = e.Clipped()
	var officer any
	if e.OfficerID != 0 {
		officer = e.OfficerID
	}
	err := db.write(ctx, func(w *wtx) error {
		at := e.At
		if at.IsZero() {
			at = w.Now()
		}
		_, err := w.Exec(`INSERT INTO audit_log (at, officer_id, username, action, target, detail)
			VALUES (?, ?, ?, ?, ?, ?)`, at.UTC().Format(TimeFormat), officer, e.Username, e.Action, e.Target, e.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog reads the log, newest first, and the number of entries.
func (db *DB) AuditLog(ctx context.Context, offset, limit int) ([]formsvc.AuditEntry, int, error) {
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit log: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, COALESCE(officer_id, 0), username, action, target, detail
		FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []formsvc.AuditEntry
	for rows.Next() {
		var e formsvc.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.OfficerID, &e.Username, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, 0, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
