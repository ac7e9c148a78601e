package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// CaseByRef is Case found by its reference (TB-2026-0042): the console's
// addresses name a case by its reference, numbered per kind, never by the
// row id, which one sequence shares between both kinds and would let one
// role count the other's records.
func (db *DB) CaseByRef(ctx context.Context, ref string, kinds []formsvc.Kind) (*formsvc.Submission, error) {
	notFound := &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không có hồ sơ này."}
	d, year, seq, ok := db.spec.ParseRef(ref)
	if !ok {
		return nil, notFound
	}
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM submissions WHERE kind = ? AND ref_year = ? AND ref_seq = ?`,
		string(d.Kind), year, seq).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("find case %s: %w", ref, err)
	}
	return db.Case(ctx, id, kinds)
}
