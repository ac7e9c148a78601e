package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoaphong/phongchongmaidam/formsvc/move"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// runMigrate moves a commune's SQLite database into PostgreSQL (package
// move): same ids, same key file, every table checked after the copy, and
// safe to run again.
func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("migrate", e)
	cfg := &storageConfig{DB: "var/formsvc.db", KeyFile: "var/formsvc.key"}
	fs.setting("from", (*pathValue)(&cfg.DB), "tệp cơ sở dữ liệu SQLite cần chuyển")
	fs.setting("key-file", (*pathValue)(&cfg.KeyFile), "tệp khóa bí mật của cơ sở dữ liệu đó (PostgreSQL dùng đúng khóa này)")
	to := fs.String("to", "", "cơ sở dữ liệu PostgreSQL đích, postgres://người-dùng@máy:5432/tên (hoặc biến FORMSVC_MIGRATE_TO, để mật khẩu không nằm trên dòng lệnh)")
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	if *to == "" {
		*to = e.getenv("FORMSVC_MIGRATE_TO")
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return errors.New("cần --to postgres://…: cơ sở dữ liệu PostgreSQL đích")
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		return fmt.Errorf("không có cơ sở dữ liệu ở %s: %w", cfg.DB, err)
	}
	keys, err := loadKeys(ctx, e, cfg, false)
	if err != nil {
		return err
	}
	// Open each side once as the service would: the SQLite file checks
	// the key and is brought to the newest schema; PostgreSQL gets its
	// schema and records the same key (or refuses another's).
	lite, err := openDB(ctx, cfg, keys)
	if err != nil {
		return err
	}
	if err := lite.Close(); err != nil {
		return err
	}
	pg, err := postgres.Open(ctx, *to, keys)
	if errors.Is(err, postgres.ErrWrongKey) {
		return fmt.Errorf("cơ sở dữ liệu PostgreSQL đích đã thuộc một khóa khác: hãy chuyển vào một cơ sở dữ liệu mới, hoặc dùng đúng tệp khóa")
	}
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	pg.Close()
	src, err := sql.Open("sqlite", sqlite.FileURI(cfg.DB)+"?mode=ro")
	if err != nil {
		return err
	}
	defer src.Close()
	pool, err := pgxpool.New(ctx, *to)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer pool.Close()
	tables, err := move.Copy(ctx, src, pool)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, move.Summary(tables))
	fmt.Fprintf(e.stdout, "Đã chuyển %s sang PostgreSQL và kiểm tra từng bảng (số dòng và SHA-256 khớp hai bên). "+
		"Mã biên nhận vẫn dùng được với cùng tệp khóa %s; cán bộ đăng nhập lại. Chạy lại lệnh này không chép trùng.\n", cfg.DB, cfg.KeyFile)
	return nil
}
