package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// MigrateTo makes a database at path with the migrations up to and
// including version only, as an older release left it, and runs stmts on
// it (tests only): Open then migrates it the rest of the way.
func MigrateTo(ctx context.Context, path string, version int, stmts ...string) error {
	conn, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		v, _ := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if v > version {
			break
		}
		if err := applyMigration(ctx, conn, name, v); err != nil {
			return err
		}
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
