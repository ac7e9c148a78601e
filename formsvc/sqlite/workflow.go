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
// record is still in one (then Open fails and says which, so no record is
// left in a status nobody can see or leave).
func syncWorkflow(ctx context.Context, conn *sql.DB, spec *formsvc.Spec) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	want := map[[2]string]bool{}
	for _, d := range spec.Kinds {
		for _, st := range d.Statuses {
			want[[2]string{string(d.Kind), string(st.Code)}] = true
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
	var gone [][2]string
	for rows.Next() {
		var kind, status string
		var n int
		if err := rows.Scan(&kind, &status, &n); err != nil {
			rows.Close()
			return err
		}
		if want[[2]string{kind, status}] {
			continue
		}
		if n > 0 {
			rows.Close()
			return fmt.Errorf("trạng thái %q của loại %q không còn trong data/forms.yaml nhưng %d hồ sơ đang ở trạng thái này: hãy chuyển các hồ sơ đó sang trạng thái khác bằng phiên bản cũ, hoặc giữ trạng thái này trong forms.yaml", status, kind, n)
		}
		gone = append(gone, [2]string{kind, status})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM workflow_statuses WHERE kind = ? AND status = ?`, g[0], g[1]); err != nil {
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
