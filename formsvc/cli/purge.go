package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
)

// runPurge deletes closed records older than the retention setting.
func runPurge(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("purge", e)
	cfg := storageSettings(fs)
	retention := retentionSetting(fs)
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	_, db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cutoff := time.Now().Add(-*retention)
	n, err := db.PurgeClosed(ctx, cutoff)
	if errors.Is(err, postgres.ErrPurgeRunning) {
		// Another instance or a cron job is purging now: it does the work.
		fmt.Fprintln(e.stdout, "Một lần xóa khác (dịch vụ khác hoặc lịch cron) đang chạy trên cơ sở dữ liệu này: lần này không xóa gì.")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã xóa %d hồ sơ đã đóng trước ngày %s (kèm ảnh và trao đổi). Hồ sơ chưa đóng không bị xóa.\n",
		n, cutoff.In(formsvc.Vietnam).Format("02/01/2006"))
	return nil
}
