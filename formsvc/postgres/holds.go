package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// HoldsData reports whether the database at dsn holds anything a key
// protects or that belongs to one: a key check value, a record or an
// officer's account. A database without the store's tables, or with none
// of these rows, is new: only for such a database may a new key file be
// made. HoldsData changes nothing.
func HoldsData(ctx context.Context, dsn string) (bool, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return false, fmt.Errorf("postgres: %w", unavailable(err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, table := range []string{"key_check", "submissions", "officers"} {
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil {
			return false, fmt.Errorf("postgres: read %s: %w", table, err)
		}
		if !exists {
			continue
		}
		var held bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&held); err != nil {
			return false, fmt.Errorf("postgres: read %s: %w", table, err)
		}
		if held {
			return true, nil
		}
	}
	return false, nil
}
