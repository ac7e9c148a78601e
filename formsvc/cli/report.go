package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

// runReport: formsvc report --period 2026-H1|2026-H2|2026|FROM..TO --format html|docx|xlsx [--out FILE],
// or --publication --format json for the site's /so-lieu/ page.
func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("report", e)
	cfg := storageSettings(fs)
	periodFlag := fs.String("period", "", "kỳ báo cáo: 2026-H1, 2026-H2, 2026 hoặc 2026-01-01..2026-03-31")
	format := fs.String("format", "html", "định dạng: html (in khổ A4), docx (Word, để điền số, ký và lưu), xlsx, hoặc json (số liệu công bố cho trang /so-lieu/, cần --publication)")
	out := fs.String("out", "", "tệp kết quả (bỏ trống: in ra đầu ra chuẩn)")
	publication := fs.Bool("publication", false, "bản để công bố: số nhỏ hơn 3 ghi là \"<3\"")
	kindFlag := fs.String("kind", "", "chỉ một loại: tip hoặc support (bỏ trống: cả hai)")
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	p, err := report.ParsePeriod(*periodFlag)
	if err != nil {
		return err
	}
	switch {
	case *format != "html" && *format != "docx" && *format != "xlsx" && *format != "json":
		return errors.New("--format phải là html, docx, xlsx hoặc json")
	case *format == "json" && !*publication:
		return errors.New("--format json chỉ dùng với --publication: tệp này để đăng lên trang web")
	}
	spec, err := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	if err != nil {
		return err
	}
	kinds := spec.KindList()
	if *kindFlag != "" {
		if spec.Kind(formsvc.Kind(*kindFlag)) == nil {
			return errors.New("--kind phải là tip hoặc support")
		}
		kinds = []formsvc.Kind{formsvc.Kind(*kindFlag)}
	}
	commune, err := formsvc.ParseCommune(data.CommuneYAML)
	if err != nil {
		return err
	}
	_, db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	var write func(io.Writer) error
	if *format == "json" {
		pub, err := report.BuildPublication(ctx, db, spec, kinds, p, commune.Name, time.Now())
		if err != nil {
			return err
		}
		write = func(w io.Writer) error { return report.WriteJSON(w, pub) }
	} else {
		r, err := report.Build(ctx, db, spec, kinds, p, *publication, commune, time.Now())
		if err != nil {
			return err
		}
		write = func(w io.Writer) error { return report.WriteHTML(w, r) }
		switch *format {
		case "xlsx":
			write = func(w io.Writer) error { return report.WriteXLSX(w, r) }
		case "docx":
			write = func(w io.Writer) error { return report.WriteDOCX(w, r) }
		}
	}
	w, done, err := output(e, *out)
	if err != nil {
		return err
	}
	err = write(w)
	if err != nil {
		done(false)
		return err
	}
	if err := done(true); err != nil {
		return err
	}
	detail := fmt.Sprintf("%s, %s", p.Label, *format)
	if *publication {
		detail += ", bản công bố"
	}
	return db.Audit(ctx, formsvc.AuditEntry{Username: cliUser, Action: formsvc.AuditReport, Target: *periodFlag, Detail: detail})
}
