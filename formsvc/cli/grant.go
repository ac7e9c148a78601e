package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
)

// roleName is a PostgreSQL role name as an operator types one.
var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// runGrant brings a PostgreSQL database's schema up to date as its owner
// and gives the service's own role what the service needs, and no right
// to rewrite the audit log (postgres.GrantService).
func runGrant(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("grant", e)
	cfg := storageSettings(fs)
	role := fs.String("role", "", "vai trò PostgreSQL mà dịch vụ dùng để chạy (ví dụ formsvc_app)")
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	if !isPostgres(cfg.DB) {
		return errors.New("lệnh grant chỉ dành cho PostgreSQL: cần " + settingNames("db") + " postgres://CHỦ-SỞ-HỮU@máy/tên")
	}
	if !roleName.MatchString(*role) {
		return errors.New("cần --role: tên vai trò PostgreSQL của dịch vụ (chữ thường, số, dấu gạch dưới), ví dụ --role formsvc_app")
	}
	_, db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	pg, ok := db.(*postgres.DB)
	if !ok {
		return errors.New("lệnh grant chỉ dành cho PostgreSQL")
	}
	if err := pg.GrantService(ctx, *role); err != nil {
		return fmt.Errorf("cấp quyền cho %s: %w", *role, redactErr(err, cfg.DB))
	}
	fmt.Fprintf(e.stdout, "Lược đồ của %s đã mới nhất. Đã cấp quyền cho vai trò %s: đọc và ghi hồ sơ; nhật ký kiểm tra chỉ được đọc và thêm "+
		"(không sửa, không xóa, không tắt trigger, không đổi lược đồ). Chạy dịch vụ bằng vai trò này: %s postgres://%s@…\n",
		dbName(cfg.DB), *role, settingNames("db"), *role)
	return nil
}
