package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/demo"
)

// runDemo: formsvc demo [--tips 300] [--support 120] [--months 12] [--seed 1] [--until 2026-06-30]
// fills an empty database with fictional records and demo officers.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("demo", e)
	cfg := storageSettings(fs)
	tips := fs.Int("tips", 300, "số tin báo mẫu")
	support := fs.Int("support", 120, "số yêu cầu hỗ trợ mẫu")
	months := fs.Int("months", 12, "rải hồ sơ trong bấy nhiêu tháng, tính đến hôm nay (hoặc --until)")
	seed := fs.Uint64("seed", 1, "hạt giống: cùng hạt giống (và cùng --until) cho cùng bộ hồ sơ")
	until := fs.String("until", "", "ngày cuối của dữ liệu mẫu, NĂM-THÁNG-NGÀY (bỏ trống: bây giờ); không sau hôm nay")
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	now := time.Now()
	end := now
	if *until != "" {
		d, err := time.ParseInLocation("2006-01-02", *until, formsvc.Vietnam)
		if err != nil {
			return fmt.Errorf("--until %q không phải một ngày NĂM-THÁNG-NGÀY", *until)
		}
		end = d.Add(24*time.Hour - time.Minute) // to the end of that day
		if end.After(now) {
			if d.After(now) {
				return fmt.Errorf("--until %s là ngày trong tương lai", *until)
			}
			end = now
		}
	}
	spec, err := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	if err != nil {
		return err
	}
	pw, err := demoPassword()
	if err != nil {
		return err
	}
	keys, db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := demo.Fill(ctx, db, demo.Options{Tips: *tips, Support: *support, Months: *months, Until: end, Seed: *seed,
		Password: pw, Spec: spec, ReceiptKey: keys.Receipt})
	var full *demo.NotEmptyError
	if errors.As(err, &full) {
		return errors.New("không tạo dữ liệu mẫu: " + full.Error())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã tạo dữ liệu mẫu (hạt giống %d): %d tin báo, %d yêu cầu hỗ trợ, từ %s đến %s.\n",
		*seed, res.Tips, res.Support, res.From.Format("02/01/2006"), res.Until.In(formsvc.Vietnam).Format("02/01/2006"))
	fmt.Fprintf(e.stdout, "Mọi nội dung đều bắt đầu bằng %q. Đừng dùng cơ sở dữ liệu này để tiếp nhận thật.\n\n", demo.Marker)
	fmt.Fprintf(e.stdout, "Tài khoản cán bộ mẫu, cùng một mật khẩu: %s\n", pw)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, o := range demo.Officers {
		fmt.Fprintf(tw, "  %s\t%s\n", o.Username, formsvc.RoleLabels[o.Role])
	}
	tw.Flush()
	if len(res.Receipts) > 0 {
		fmt.Fprintln(e.stdout, "\nMã biên nhận để thử trang Tra cứu (hồ sơ đã có lời nhắn của cán bộ):")
		for _, r := range res.Receipts {
			fmt.Fprintf(e.stdout, "  %s  %s\n", r[0], r[1])
		}
	}
	return nil
}

// demoPassword draws the demo officers' password: four groups of four
// letters and digits that read out loud without confusion (no 0/o, 1/l).
func demoPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	var groups []string
	for range 4 {
		var g strings.Builder
		for range 4 {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				return "", err
			}
			g.WriteByte(alphabet[n.Int64()])
		}
		groups = append(groups, g.String())
	}
	return strings.Join(groups, "-"), nil
}
