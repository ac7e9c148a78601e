package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// runBackup writes a consistent copy of the database while the service
// runs. It never copies the key file: the copy's content stays sealed, and
// the key is kept apart (README.md, "Sao lưu và khôi phục").
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("backup", e)
	cfg := storageSettings(fs)
	out := fs.String("out", "", "tệp sao lưu sẽ tạo, ví dụ /var/lib/formsvc-backups/formsvc-20260115.db (bắt buộc; khóa bí mật không được chép vào đó)")
	force := fs.Bool("force", false, "ghi đè nếu tệp sao lưu đã có")
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	if isPostgres(cfg.DB) {
		return errors.New("formsvc backup chỉ sao lưu cơ sở dữ liệu SQLite. Với PostgreSQL, hãy sao lưu bằng công cụ của PostgreSQL: " +
			"pg_dump (ví dụ pg_dump -Fc -f formsvc.dump <tên cơ sở dữ liệu>), hoặc sao lưu nền (pg_basebackup) kèm lưu trữ WAL; " +
			"xem mục PostgreSQL trong README. Khóa bí mật vẫn phải cất riêng. Chưa có gì bị thay đổi")
	}
	if *out == "" {
		return errors.New("cần --out: tệp sao lưu sẽ tạo")
	}
	if sameFile(*out, cfg.KeyFile) {
		return fmt.Errorf("--out %s là tệp khóa bí mật: không ghi đè khóa", *out)
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		return fmt.Errorf("không có cơ sở dữ liệu ở %s: %w", cfg.DB, err)
	}
	// The key file is read only to check that it is the database's (a
	// backup taken under a wrong key path would hide that the service
	// cannot read its data); it never goes into the copy, whose content
	// stays sealed. A new, empty database needs no key and gets none.
	keys, err := loadKeys(ctx, e, cfg, false)
	if err != nil {
		return err
	}
	db, err := openSQLite(ctx, cfg, keys)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.Backup(ctx, *out, *force)
	if errors.Is(err, sqlite.ErrBackupExists) {
		return fmt.Errorf("tệp %s đã có: chọn tên khác, hoặc thêm --force để ghi đè", *out)
	}
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	size := int64(0)
	if fi, err := os.Stat(*out); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(e.stdout, "Đã sao lưu cơ sở dữ liệu vào %s (%.1f MB).\n", *out, float64(size)/1e6)
	fmt.Fprintf(e.stdout, "Khóa bí mật (%s) không nằm trong bản sao lưu: hãy cất khóa ở nơi khác. Không có khóa thì không đọc được nội dung.\n", cfg.KeyFile)
	return nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
