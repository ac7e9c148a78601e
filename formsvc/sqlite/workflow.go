package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// openStatus is true, in SQL, for a record (alias s) whose status still
// needs work, as workflow_statuses (forms.yaml) says.
const openStatus = `EXISTS (SELECT 1 FROM workflow_statuses w WHERE w.kind = s.kind AND w.status = s.status AND w.open = 1)`

// syncWorkflow brings workflow_statuses in line with the spec's kinds: new
// statuses are added, changed ones updated, removed ones deleted unless a
// record is still in one (formsvc.Spec.Retired: then Open fails, naming it).
func syncWorkflow(ctx context.Context, conn *sql.DB, spec *formsvc.Spec) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, d := range spec.Kinds {
		for _, st := range d.Statuses {
			if _, err := tx.ExecContext(ctx, `INSERT INTO workflow_statuses (kind, status, open) VALUES (?, ?, ?)
				ON CONFLICT (kind, status) DO UPDATE SET open = excluded.open WHERE open != excluded.open`,
				string(d.Kind), string(st.Code), st.Open); err != nil {
				return fmt.Errorf("workflow: %w", err)
			}
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT w.kind, w.status, (SELECT count(*) FROM submissions s WHERE s.kind = w.kind AND s.status = w.status)
		FROM workflow_statuses w`)
	if err != nil {
		return fmt.Errorf("workflow: %w", err)
	}
	var stored []formsvc.StoredStatus
	for rows.Next() {
		var st formsvc.StoredStatus
		if err := rows.Scan(&st.Kind, &st.Status, &st.Records); err != nil {
			rows.Close()
			return err
		}
		stored = append(stored, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	gone, err := spec.Retired(stored)
	if err != nil {
		return err
	}
	for _, g := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM workflow_statuses WHERE kind = ? AND status = ?`, string(g.Kind), string(g.Status)); err != nil {
			return fmt.Errorf("workflow: %w", err)
		}
	}
	return tx.Commit()
}

// ref formats the reference of a record of kind k.
func (db *DB) ref(k formsvc.Kind, year, seq int) string {
	if d := db.spec.Kind(k); d != nil {
		return d.Ref(year, seq)
	}
	return fmt.Sprintf("%s-%d-%04d", k, year, seq)
}
