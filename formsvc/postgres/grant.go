package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// GrantService gives role what the service needs of this database and
// nothing more, so that the service can run as a role that cannot rewrite
// the audit log even if its password leaks or the service is taken over:
// reading and writing the records, but on audit_log only SELECT and
// INSERT (no UPDATE, DELETE or TRUNCATE), and no DDL (so no DISABLE
// TRIGGER, no DROP: only the tables' owner may). The triggers of
// migration 0009 refuse changes to the log from anyone; the grants make
// the refusal the database's permissions too. Run by the tables' owner
// (the role that ran the migrations) after Open; tables made by later
// migrations get the same grants through default privileges. Running it
// again changes nothing.
func (db *DB) GrantService(ctx context.Context, role string) error {
	r := pgx.Identifier{role}.Sanitize()
	stmts := []string{
		`GRANT USAGE ON SCHEMA public TO ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + r,
		`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM ` + r,
		`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ` + r,
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("postgres: grant to %s: %w", role, err)
			}
		}
		return nil
	})
}
